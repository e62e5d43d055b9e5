/// A stream partitioned by key, like Flink's `KeyedStream`: every element of a key reaches the
/// same task, which owns that key's state and timers.
public struct KeyedStream<Element, Key: Hashable> {
    let environment: StreamEnvironment
    /// The node whose output this keyed stream reads: the exchange, or the already
    /// partitioned input.
    let inputID: Int
    let keySelector: @Sendable (Element) throws -> Key
    let keyCodec: (any Codec<Key>)?

    /// Runs a keyed process function. Each task creates its own instance from `function`.
    /// Its output is not known to be partitioned by any key (see
    /// `DataStream.assumePartitioned(by:)`).
    ///
    /// When the job checkpoints, its keys and every state the function registers need codecs;
    /// building the job fails otherwise.
    public func process<Function: KeyedProcessFunction>(
        _ function: @autoclosure @escaping @Sendable () -> Function
    ) -> DataStream<Function.Output> where Function.Key == Key, Function.Input == Element {
        process(named: "process(\(Function.self))", requiring: { _ in }, make: function)
    }

    /// Runs a keyed process function as the operator `name`; `requiring` checks, when the node
    /// is built, what the function needs (codecs of its state).
    func process<Function: KeyedProcessFunction>(
        named name: String, requiring: @escaping (TaskContext) throws -> Void,
        make function: @escaping () -> Function
    ) -> DataStream<Function.Output> where Function.Key == Key, Function.Input == Element {
        let id = environment.graph.add(
            name: name, kind: .operation, inputs: [inputID],
            instantiate: { [keySelector, keyCodec] builder, id in
                let context = builder.context
                try context.requireCheckpointCodec(
                    keyCodec, operatorName: name, what: "state by keys of type \(Key.self)", fix: "make \(Key.self) Codable")
                try requiring(context)
                let sideOutputs = SideOutputs()
                try builder.connectSideOutputs(of: id, to: sideOutputs)
                let node = try KeyedProcessNode(
                    name: name, nodeID: id, function: function(), keySelector: keySelector, keyCodec: keyCodec,
                    backend: try context.stateBackend.makeKeyedBackend(
                        keyCodec: keyCodec, operatorName: "\(id)-\(name)", task: context.taskID),
                    task: context, sideOutputs: sideOutputs,
                    next: try builder.output(of: id, Function.Output.self))
                try context.register(node)
                return node
            })
        return DataStream(environment: environment, nodeID: id, partitionKey: nil)
    }

    /// Groups each key's elements into event-time windows.
    public func window(_ assigner: WindowAssigner) -> WindowedStream<Element, Key> {
        WindowedStream(keyed: self, assigner: assigner, allowedLateness: 0, lateTag: nil)
    }
}
