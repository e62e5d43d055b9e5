/// A typed stream of elements, like Flink's `DataStream`. Transformations return new streams;
/// nothing runs until ``StreamEnvironment/execute()``.
///
/// Functions given to transformations run on task threads, one task per partition, hence
/// `@Sendable`; a function that throws hands its element to the job's ``BadInputPolicy``.
public struct DataStream<Element> {
    let environment: StreamEnvironment
    let nodeID: Int
    /// The key this stream is known to be partitioned by. Operators that make new elements
    /// (`map`, `flatMap`, windows, process functions) drop it: the new elements need not carry
    /// the key of the old ones.
    let partitionKey: PartitionKey?

    init(environment: StreamEnvironment, nodeID: Int, partitionKey: PartitionKey?) {
        self.environment = environment
        self.nodeID = nodeID
        self.partitionKey = partitionKey
    }

    /// Adds an operator reading this stream's main output.
    func adding<Output>(
        _ name: String, partitionKey: PartitionKey?, instantiate: @escaping LogicalNode.Instantiate
    ) -> DataStream<Output> {
        let id = environment.graph.add(name: name, kind: .operation, inputs: [nodeID], instantiate: instantiate)
        return DataStream<Output>(environment: environment, nodeID: id, partitionKey: partitionKey)
    }

    /// One output per element. The output is not known to be partitioned by any key.
    public func map<Output>(_ transform: @escaping @Sendable (Element) throws -> Output) -> DataStream<Output> {
        map(named: "map", partitionKey: nil, transform)
    }

    /// One output of the same type per element. With `preservingPartitioning` you state that
    /// `transform` never changes the key the stream is partitioned by, so the output keeps that
    /// partitioning and a `keyBy` on the key needs no exchange; it is not checked, and keyed
    /// state goes wrong if it is false. Without it this is ``map(_:)``.
    public func map(
        preservingPartitioning: Bool, _ transform: @escaping @Sendable (Element) throws -> Element
    ) -> DataStream<Element> {
        map(named: "map", partitionKey: preservingPartitioning ? partitionKey : nil, transform)
    }

    func map<Output>(
        named name: String, partitionKey: PartitionKey? = nil, _ transform: @escaping @Sendable (Element) throws -> Output
    ) -> DataStream<Output> {
        adding(name, partitionKey: partitionKey) { builder, id in
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

    /// Partitions the stream by a key path, like Flink's `keyBy`: `keyBy(\.customer)`.
    ///
    /// A new stage starts here, fed through an exchange, unless the stream is already
    /// partitioned by this same key path (a source declared `partitionedBy:` it, or
    /// `assumePartitioned(by:)`). Key paths are compared as values, and
    /// a key path names its element type, so a key path of another type never matches.
    ///
    /// Keys that are `Codable` can be snapshotted; a job that checkpoints refuses other keys. In
    /// distributed mode the exchange is a Kafka repartition topic, so both the key and the
    /// element type must be `Codable` (elements as ``BinaryCodec``, or your codec with
    /// `keyBy(_:elementCodec:)`; keys as JSON, `String` keys as UTF-8); planning fails otherwise.
    public func keyBy<Key: Hashable>(_ key: KeyPath<Element, Key> & Sendable) -> KeyedStream<Element, Key> {
        keyBy(PartitionKey(key), reading(key))
    }

    /// Partitions the stream by a named ``KeySelector``, for computed keys.
    ///
    /// No exchange is needed when the stream is already partitioned by this same selector
    /// instance; a different selector, even of the same name, always repartitions. Codecs as for
    /// `keyBy(_:)` with a key path.
    public func keyBy<Key: Hashable>(_ key: KeySelector<Element, Key>) -> KeyedStream<Element, Key> {
        keyBy(PartitionKey(key), key.select)
    }

    /// Partitions the stream by a key computed by a closure. A closure's identity cannot be
    /// compared, so this always starts a new stage behind an exchange; use a key path or a
    /// ``KeySelector`` when the stream may already be partitioned by the key. Codecs as for
    /// `keyBy(_:)` with a key path.
    public func keyBy<Key: Hashable>(_ selector: @escaping @Sendable (Element) throws -> Key) -> KeyedStream<Element, Key> {
        keyBy(nil, selector)
    }

    /// - Parameter elementCodec: how elements cross a repartition topic; by default
    ///   ``BinaryCodec`` when `Element` is `Codable`.
    func keyBy<Key: Hashable>(
        _ key: PartitionKey?, _ selector: @escaping @Sendable (Element) throws -> Key,
        elementCodec: (any Codec<Element>)? = binaryCodecIfCodable(Element.self)
    ) -> KeyedStream<Element, Key> {
        // Strings as their UTF-8 bytes: in repartition topics as Java's StringSerializer writes
        // them, so a Java producer keyed by the same string picks the same partition, and in state
        // snapshots because that is smaller and cheaper than JSON. Other keys as JSON when they
        // are Codable, found at run time so that a generic caller's keys get a codec too.
        let keyCodec = UTF8StringCodec() as? any Codec<Key> ?? jsonCodecIfCodable(Key.self)
        if let key, key == partitionKey {
            return KeyedStream(environment: environment, inputID: nodeID, keySelector: selector, keyCodec: keyCodec)
        }
        let exchange = environment.graph.add(
            name: "exchange",
            kind: .exchange(ExchangeBinding(
                keyName: key?.name, keySelector: selector, keyCodec: keyCodec, elementCodec: elementCodec)),
            inputs: [nodeID])
        return KeyedStream(environment: environment, inputID: exchange, keySelector: selector, keyCodec: keyCodec)
    }

    /// The same stream, declared partitioned by `key`: every element with a given key is in the
    /// same task, so a `keyBy` on this key path needs no exchange. It is your claim, not
    /// checked: keyed state and windows go wrong if it is false. Use it after an operator that
    /// drops the claim but keeps each element's key and task (a window's output carrying its key).
    public func assumePartitioned<Key: Hashable>(by key: KeyPath<Element, Key> & Sendable) -> DataStream<Element> {
        DataStream(environment: environment, nodeID: nodeID, partitionKey: PartitionKey(key))
    }

    /// The same stream, declared partitioned by the selector `key`; see
    /// `assumePartitioned(by:)`.
    public func assumePartitioned<Key: Hashable>(by key: KeySelector<Element, Key>) -> DataStream<Element> {
        DataStream(environment: environment, nodeID: nodeID, partitionKey: PartitionKey(key))
    }

    /// This stream's elements together with those of `others`. All must come from sources
    /// directly (the same stage), which is where Flink users union too: before `keyBy`.
    public func union(_ others: DataStream<Element>...) -> DataStream<Element> {
        let id = environment.graph.add(
            name: "union", kind: .operation, inputs: [nodeID] + others.map(\.nodeID),
            instantiate: { builder, id in try builder.output(of: id, Element.self) })
        return DataStream(environment: environment, nodeID: id, partitionKey: nil)
    }

    /// The elements a process function or window emitted to `tag`.
    public func sideOutput<Side>(_ tag: OutputTag<Side>) -> DataStream<Side> {
        let id = environment.graph.add(
            name: "side-output(\(tag.id))", kind: .operation, inputs: [nodeID], inputTag: tag.id,
            connectSide: { builder, id, sideOutputs in
                sideOutputs.connect(tag, to: try builder.output(of: id, Side.self))
            })
        return DataStream<Side>(environment: environment, nodeID: id, partitionKey: nil)
    }

    /// Writes every element to `sink`.
    public func sink<S: Sink>(to sink: S) where S.Element == Element {
        environment.sinks.append(sink)
        _ = environment.graph.add(
            name: "sink(\(sink.name))", kind: .sink, inputs: [nodeID],
            instantiate: { builder, id in
                let context = builder.context
                let writer = try sink.makeWriter(for: context.sinkTaskContext(participantID: "\(id):sink"))
                try context.register(commit: writer)
                return SinkNode(
                    writer: writer, sinkName: sink.name, failures: context.failures, written: context.recordsWritten,
                    recordsOut: context.metrics?.sinkCounter(sink.name))
            })
    }

    /// Serializes every element as a record value and writes it to a byte sink; the `nil` of an
    /// Optional element is a tombstone (see ``Serializer/serialize(nullable:)``).
    public func sink<S: Sink, Value: Serializer>(to sink: S, serializer: Value)
    where S.Element == SinkRecord, Value.Value == Element {
        map(named: "serialize") { SinkRecord(value: try serializer.serialize(nullable: $0)) }
            .sink(to: sink)
    }

    /// Turns every element into a record (topic, key, partition, headers) and writes it to a byte sink.
    public func sink<S: Sink>(to sink: S, record: @escaping @Sendable (Element) throws -> SinkRecord)
    where S.Element == SinkRecord {
        map(named: "to-record", record).sink(to: sink)
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

/// A closure applying `keyPath`. Written outside the generic type: the same closure formed in
/// one of its methods captures the key's metatype, which Swift 6.2 flags unless
/// `Key: SendableMetatype`, a constraint Swift 6.0 cannot spell.
func reading<Element, Key>(_ keyPath: KeyPath<Element, Key> & Sendable) -> @Sendable (Element) throws -> Key {
    { $0[keyPath: keyPath] }
}
