/// A typed stream of elements, like Flink's `DataStream`. Transformations return new streams;
/// nothing runs until ``StreamEnvironment/execute()``.
///
/// Functions given to transformations run on task threads, one task per partition, hence
/// `@Sendable`; a function that throws hands its element to the job's ``BadInputPolicy``.
public struct DataStream<Element> {
    let environment: StreamEnvironment
    let nodeID: Int
    /// The key name this stream is known to be partitioned by.
    let partitionKey: String?

    init(environment: StreamEnvironment, nodeID: Int, partitionKey: String?) {
        self.environment = environment
        self.nodeID = nodeID
        self.partitionKey = partitionKey
    }

    /// Adds an operator reading this stream's main output.
    func adding<Output>(
        _ name: String, partitionKey: String?, instantiate: @escaping LogicalNode.Instantiate
    ) -> DataStream<Output> {
        let id = environment.graph.add(
            name: name, kind: .operation, inputs: [nodeID], partitionKey: partitionKey, instantiate: instantiate)
        return DataStream<Output>(environment: environment, nodeID: id, partitionKey: partitionKey)
    }

    /// One output per element.
    public func map<Output>(_ transform: @escaping @Sendable (Element) throws -> Output) -> DataStream<Output> {
        map(named: "map", keepsPartitioning: false, transform)
    }

    func map<Output>(
        named name: String, keepsPartitioning: Bool, _ transform: @escaping @Sendable (Element) throws -> Output
    ) -> DataStream<Output> {
        adding(name, partitionKey: keepsPartitioning ? partitionKey : nil) { builder, id in
            MapNode(name: name, transform: transform, failures: builder.context.failures,
                    next: try builder.output(of: id, Output.self))
        }
    }

    /// The elements for which `isIncluded` is true. Filtering keeps the stream's partitioning.
    public func filter(_ isIncluded: @escaping @Sendable (Element) throws -> Bool) -> DataStream<Element> {
        adding("filter", partitionKey: partitionKey) { builder, id in
            FilterNode(predicate: isIncluded, failures: builder.context.failures,
                       next: try builder.output(of: id, Element.self))
        }
    }

    /// Zero or more outputs per element.
    public func flatMap<Results: Sequence>(
        _ transform: @escaping @Sendable (Element) throws -> Results
    ) -> DataStream<Results.Element> {
        adding("flatMap", partitionKey: nil) { builder, id in
            FlatMapNode(transform: transform, failures: builder.context.failures,
                        next: try builder.output(of: id, Results.Element.self))
        }
    }

    /// Re-stamps elements with event time and generates watermarks from the new timestamps,
    /// replacing the source's. Use it right after the source, before any `keyBy`.
    public func assignTimestampsAndWatermarks(_ strategy: WatermarkStrategy<Element>) -> DataStream<Element> {
        adding("timestamps", partitionKey: partitionKey) { builder, id in
            let node = TimestampAssignerNode(nodeID: id, strategy: strategy, next: try builder.output(of: id, Element.self))
            try builder.context.register(node)
            return node
        }
    }

    /// Partitions the stream by key, like Flink's `keyBy`.
    ///
    /// A new stage starts here, fed through an exchange, unless the stream is already
    /// partitioned by a key of the same `name` (see
    /// ``StreamEnvironment/fromSource(_:watermarks:partitionedBy:)``); an unnamed key always
    /// exchanges. Keys without a `Codable` conformance work, but their state cannot be
    /// snapshotted, so a job that checkpoints refuses them. In distributed mode the exchange is a Kafka repartition topic, so both the
    /// key and the element type must be `Codable` (JSON; `String` keys as UTF-8); planning
    /// fails otherwise.
    public func keyBy<Key: Hashable>(
        _ name: String? = nil, _ selector: @escaping @Sendable (Element) throws -> Key
    ) -> KeyedStream<Element, Key> {
        keyBy(name: name, keyCodec: nil, selector)
    }

    /// Partitions the stream by a `Codable` key, whose state can be snapshotted.
    public func keyBy<Key: Hashable & Codable>(
        _ name: String? = nil, _ selector: @escaping @Sendable (Element) throws -> Key
    ) -> KeyedStream<Element, Key> {
        keyBy(name: name, keyCodec: JSONCodec<Key>(), selector)
    }

    private func keyBy<Key: Hashable>(
        name: String?, keyCodec: (any Codec<Key>)?, _ selector: @escaping @Sendable (Element) throws -> Key
    ) -> KeyedStream<Element, Key> {
        // Strings as their UTF-8 bytes: in repartition topics as Java's StringSerializer writes
        // them, so a Java producer keyed by the same string picks the same partition, and in state
        // snapshots because that is smaller and cheaper than JSON.
        let keyCodec = UTF8StringCodec() as? any Codec<Key> ?? keyCodec
        if let name, name == partitionKey {
            return KeyedStream(environment: environment, inputID: nodeID, keyName: name, keySelector: selector, keyCodec: keyCodec)
        }
        let exchange = environment.graph.add(
            name: "exchange",
            kind: .exchange(ExchangeBinding(
                keyName: name, keySelector: selector, keyCodec: keyCodec, elementCodec: jsonCodecIfCodable(Element.self))),
            inputs: [nodeID], partitionKey: name)
        return KeyedStream(environment: environment, inputID: exchange, keyName: name, keySelector: selector, keyCodec: keyCodec)
    }

    /// This stream's elements together with those of `others`. All must come from sources
    /// directly (the same stage), which is where Flink users union too: before `keyBy`.
    public func union(_ others: DataStream<Element>...) -> DataStream<Element> {
        let id = environment.graph.add(
            name: "union", kind: .operation, inputs: [nodeID] + others.map(\.nodeID), partitionKey: nil,
            instantiate: { builder, id in try builder.output(of: id, Element.self) })
        return DataStream(environment: environment, nodeID: id, partitionKey: nil)
    }

    /// The elements a process function or window emitted to `tag`.
    public func sideOutput<Side>(_ tag: OutputTag<Side>) -> DataStream<Side> {
        let id = environment.graph.add(
            name: "side-output(\(tag.id))", kind: .operation, inputs: [nodeID], inputTag: tag.id, partitionKey: nil,
            connectSide: { builder, id, sideOutputs in
                sideOutputs.connect(tag, to: try builder.output(of: id, Side.self))
            })
        return DataStream<Side>(environment: environment, nodeID: id, partitionKey: nil)
    }

    /// Writes every element to `sink`.
    public func sink<S: Sink>(to sink: S) where S.Element == Element {
        environment.sinks.append(sink)
        _ = environment.graph.add(
            name: "sink(\(sink.name))", kind: .sink, inputs: [nodeID], partitionKey: nil,
            instantiate: { builder, _ in
                SinkNode(
                    sink: sink, failures: builder.context.failures, written: builder.context.recordsWritten,
                    recordsOut: builder.context.metrics?.sinkCounter(sink.name))
            })
    }

    /// Serializes every element as a record value and writes it to a byte sink.
    public func sink<S: Sink, Value: Serializer>(to sink: S, serializer: Value)
    where S.Element == SinkRecord, Value.Value == Element {
        map(named: "serialize", keepsPartitioning: false) { SinkRecord(value: try serializer.serialize($0)) }
            .sink(to: sink)
    }

    /// Turns every element into a record (topic, key, partition, headers) and writes it to a byte sink.
    public func sink<S: Sink>(to sink: S, record: @escaping @Sendable (Element) throws -> SinkRecord)
    where S.Element == SinkRecord {
        map(named: "to-record", keepsPartitioning: false, record).sink(to: sink)
    }

    /// Prints every element on its own line, like Flink's `print()`.
    public func print(prefix: String = "") {
        sink(to: PrintSink<Element>(prefix: prefix))
    }

    /// Keeps every element in memory and returns the sink holding them; read
    /// ``CollectSink/elements`` after the job ran.
    @discardableResult
    public func collect() -> CollectSink<Element> {
        let sink = CollectSink<Element>()
        self.sink(to: sink)
        return sink
    }
}
