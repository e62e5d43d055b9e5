/// A keyed stream cut into windows, like Flink's `WindowedStream`. Finish it with ``reduce(_:)``,
/// ``aggregate(_:)`` or ``process(_:)->DataStream<Function.Output>``.
public struct WindowedStream<Element, Key: Hashable> {
    let keyed: KeyedStream<Element, Key>
    let assigner: WindowAssigner
    let allowedLateness: Int64
    let lateTag: OutputTag<Element>?

    /// Keeps windows open for `lateness` after the watermark passed their end: a late element
    /// updates the window and fires it again at once. State is dropped after that.
    public func allowedLateness(_ lateness: Duration) -> WindowedStream {
        WindowedStream(keyed: keyed, assigner: assigner, allowedLateness: lateness.milliseconds, lateTag: lateTag)
    }

    /// Sends elements too late for any window (after allowed lateness) to `tag` instead of
    /// dropping them; read them with ``DataStream/sideOutput(_:)`` on the result.
    public func sideOutputLateData(_ tag: OutputTag<Element>) -> WindowedStream {
        WindowedStream(keyed: keyed, assigner: assigner, allowedLateness: allowedLateness, lateTag: tag)
    }

    /// Combines each window's elements pairwise; emits one element per key and window.
    public func reduce(_ combine: @escaping @Sendable (Element, Element) throws -> Element) -> DataStream<Element> {
        windowed(
            "reduce", accumulatorCodec: jsonCodecIfCodable(Element?.self), codableType: Element.self,
            WindowNode<Element, Key, Element?, Element>.Functions(
                create: { nil },
                add: { value, accumulator in accumulator = try accumulator.map { try combine($0, value) } ?? value },
                merge: { first, second in
                    guard let first, let second else { return first ?? second }
                    return try combine(first, second)
                },
                emit: { _, _, accumulator, out in if let accumulator { out.collect(accumulator) } }))
    }

    /// Aggregates each window incrementally; emits the function's result per key and window.
    public func aggregate<Function: AggregateFunction>(_ function: Function) -> DataStream<Function.Output>
    where Function.Input == Element {
        windowed(
            "aggregate(\(Function.self))", accumulatorCodec: jsonCodecIfCodable(Function.Accumulator.self),
            codableType: Function.Accumulator.self,
            WindowNode<Element, Key, Function.Accumulator, Function.Output>.Functions(
                create: { function.createAccumulator() },
                add: { value, accumulator in try function.add(value, to: &accumulator) },
                merge: { try function.merge($0, $1) },
                emit: { _, _, accumulator, out in out.collect(try function.result(accumulator)) }))
    }

    /// Aggregates each window incrementally, then combines the result with its key and window.
    public func aggregate<Function: AggregateFunction, Output>(
        _ function: Function,
        _ windowResult: @escaping @Sendable (Key, TimeWindow, Function.Output) throws -> Output
    ) -> DataStream<Output> where Function.Input == Element {
        windowed(
            "aggregate(\(Function.self))", accumulatorCodec: jsonCodecIfCodable(Function.Accumulator.self),
            codableType: Function.Accumulator.self,
            WindowNode<Element, Key, Function.Accumulator, Output>.Functions(
                create: { function.createAccumulator() },
                add: { value, accumulator in try function.add(value, to: &accumulator) },
                merge: { try function.merge($0, $1) },
                emit: { key, context, accumulator, out in
                    out.collect(try windowResult(key, context.window, try function.result(accumulator)))
                }))
    }

    /// Hands each window's elements to `function` when the window fires.
    public func process<Function: ProcessWindowFunction>(_ function: Function) -> DataStream<Function.Output>
    where Function.Key == Key, Function.Input == Element {
        windowed(
            "process(\(Function.self))", accumulatorCodec: jsonCodecIfCodable([Element].self), codableType: Element.self,
            WindowNode<Element, Key, [Element], Function.Output>.Functions(
                create: { [] },
                add: { value, accumulator in accumulator.append(value) },
                merge: { $0 + $1 },
                emit: { key, context, elements, out in try function.process(key, context: context, elements: elements, out: out) }))
    }

    /// Hands each window's elements to a closure when the window fires.
    public func process<Output>(
        _ function: @escaping @Sendable (Key, WindowContext, [Element], Collector<Output>) throws -> Output?
    ) -> DataStream<Output> {
        windowed(
            "process", accumulatorCodec: jsonCodecIfCodable([Element].self), codableType: Element.self,
            WindowNode<Element, Key, [Element], Output>.Functions(
                create: { [] },
                add: { value, accumulator in accumulator.append(value) },
                merge: { $0 + $1 },
                emit: { key, context, elements, out in
                    if let result = try function(key, context, elements, out) { out.collect(result) }
                }))
    }

    /// - Parameters:
    ///   - accumulatorCodec: JSON for the accumulators when their type is `Codable`, found at run
    ///     time because elements and accumulators need not be.
    ///   - codableType: the type a user makes `Codable` to give the accumulators a codec.
    private func windowed<Accumulator, Output>(
        _ function: String, accumulatorCodec: (any Codec<Accumulator>)?, codableType: Any.Type,
        _ functions: WindowNode<Element, Key, Accumulator, Output>.Functions
    ) -> DataStream<Output> {
        let name = "window(\(assigner)).\(function)"
        // The node keeps what it builds from, never the keyed stream: that holds the
        // environment, which holds this node, and the cycle would keep the job's runtime (its
        // Kafka clients) alive after the job.
        let (keyCodec, keySelector) = (keyed.keyCodec, keyed.keySelector)
        let (assigner, allowedLateness, lateTag) = (self.assigner, self.allowedLateness, self.lateTag)
        let id = keyed.environment.graph.add(
            name: name, kind: .operation, inputs: [keyed.inputID],
            instantiate: { builder, id in
                let context = builder.context
                try context.requireCheckpointCodec(
                    keyCodec, operatorName: name, what: "windows by keys of type \(Key.self)", fix: "make \(Key.self) Codable")
                try context.requireCheckpointCodec(
                    accumulatorCodec, operatorName: name, what: "window accumulators of type \(Accumulator.self)",
                    fix: "make \(codableType) Codable")
                let sideOutputs = SideOutputs()
                try builder.connectSideOutputs(of: id, to: sideOutputs)
                let backend = try context.stateBackend.makeKeyedBackend(
                    keyCodec: keyCodec, operatorName: "\(id)-\(name)", task: context.taskID)
                let next = try builder.output(of: id, Output.self)
                let node: WindowNode<Element, Key, Accumulator, Output>
                do {
                    node = try WindowNode(
                        name: name, nodeID: id, assigner: assigner, keySelector: keySelector, functions: functions,
                        allowedLateness: allowedLateness, lateTag: lateTag, backend: backend,
                        accumulatorCodec: accumulatorCodec, checkpointing: context.checkpointing,
                        failures: context.failures, sideOutputs: sideOutputs, next: next)
                } catch StateError.windowStateUnsupported(let keyedBackend) {
                    // Named by its keyed backend, the type that lacks them: a wrapping state
                    // backend (the test kit's) would otherwise hide the user's.
                    throw JobError.invalidPlan(
                        "operator '\(name)' keeps its windows in the job's state backend, but its keyed backend \(keyedBackend) cannot hold window contents: implement KeyedStateBackend.windowState(_:) there, or use a state backend that does, such as MemoryStateBackend")
                }
                try context.register(node)
                return node
            })
        // A window's output is new elements: they need not carry the key they were grouped by.
        return DataStream(environment: keyed.environment, nodeID: id, partitionKey: nil)
    }
}
