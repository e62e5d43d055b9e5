/// Where a job is built and run, like Flink's `StreamExecutionEnvironment`.
///
/// Jobs over in-process sources run on the default ``LocalRuntime``; Kafka jobs run on a
/// SluiceKafka `KafkaRuntime`, whose sources and sinks belong to it:
///
/// ```swift
/// let env = StreamEnvironment(jobName: "words")
/// env.fromElements("a", "b", "a")
///     .keyBy { $0 }
///     .window(TumblingEventTimeWindows.of(seconds: 5))
///     .aggregate(CountAggregate())
///     .print()
/// try env.execute()
/// ```
public final class StreamEnvironment {
    /// Names the job: the consumer group, and the prefix of its internal topics.
    public let jobName: String
    /// How the job runs; read by ``build()`` and ``plan()``, so set it before them.
    public var configuration: JobConfiguration
    /// What runs the job's workers: membership, commits, exchanges and checkpoints, and the
    /// delivery guarantee.
    public let runtime: any JobRuntime

    let graph = LogicalGraph()
    var sinks: [any Sink] = []
    private var sourceCount = 0

    /// An environment with no sources yet.
    ///
    /// - Parameters:
    ///   - jobName: the job's name: its consumer group and the prefix of its internal topics.
    ///   - runtime: what runs it; in process by default (``LocalRuntime``).
    ///   - configuration: batching, checkpoint interval, threads, policies.
    public init(jobName: String = "sluice-job", runtime: any JobRuntime = LocalRuntime(),
                configuration: JobConfiguration = JobConfiguration()) {
        self.jobName = jobName
        self.runtime = runtime
        self.configuration = configuration
    }

    /// Reads any source. Event time is the record timestamp unless `watermarks` has a
    /// timestamp assigner. The stream is not known to be partitioned by any key.
    public func fromSource<S: Source>(
        _ source: S, watermarks: WatermarkStrategy<S.Element> = .forMonotonousTimestamps()
    ) -> DataStream<S.Element> {
        let binding = SourceBinding(
            source: source, outOfOrderness: watermarks.outOfOrdernessMilliseconds,
            idleTimeout: watermarks.idleTimeoutMilliseconds)
        let id = graph.add(name: "source(\(source.name))", kind: .source(binding), inputs: [])
        let stream = DataStream<S.Element>(environment: self, nodeID: id, partitionKey: nil)
        return watermarks.timestampAssigner == nil ? stream : stream.assignTimestampsAndWatermarks(watermarks)
    }

    /// Reads a source whose partitions are already partitioned by the key path `partitionedBy`
    /// (a Kafka topic keyed by it): a `keyBy` on that same key path then needs no exchange.
    public func fromSource<S: Source, Key: Hashable>(
        _ source: S, watermarks: WatermarkStrategy<S.Element> = .forMonotonousTimestamps(),
        partitionedBy key: KeyPath<S.Element, Key> & Sendable
    ) -> DataStream<S.Element> {
        fromSource(source, watermarks: watermarks).assumePartitioned(by: key)
    }

    /// Reads a source whose partitions are already partitioned by the selector `partitionedBy`:
    /// a `keyBy` on that same ``KeySelector`` instance then needs no exchange.
    public func fromSource<S: Source, Key: Hashable>(
        _ source: S, watermarks: WatermarkStrategy<S.Element> = .forMonotonousTimestamps(),
        partitionedBy key: KeySelector<S.Element, Key>
    ) -> DataStream<S.Element> {
        fromSource(source, watermarks: watermarks).assumePartitioned(by: key)
    }

    /// Reads a byte source and deserializes each record's value. A record that fails to
    /// deserialize follows the job's ``BadInputPolicy``; so does a null value (a tombstone)
    /// unless the deserializer's type is Optional (see ``Deserializer/deserializeNull()``). The stream is not known to be
    /// partitioned by any key.
    public func fromSource<S: Source, D: Deserializer>(
        _ source: S, deserializer: D, watermarks: WatermarkStrategy<D.Value> = .forMonotonousTimestamps()
    ) -> DataStream<D.Value> where S.Element == SourceRecord {
        let records = fromSource(
            source,
            watermarks: WatermarkStrategy<SourceRecord>(
                outOfOrderness: watermarks.outOfOrdernessMilliseconds, assigner: nil,
                idleTimeout: watermarks.idleTimeoutMilliseconds))
        let values = records.map(named: "deserialize") { try deserializer.deserialize(nullable: $0.value) }
        return watermarks.timestampAssigner == nil ? values : values.assignTimestampsAndWatermarks(watermarks)
    }

    /// Reads a byte source whose partitions are already partitioned by the key path
    /// `partitionedBy` of the deserialized values (a Kafka topic keyed by it): a `keyBy` on that
    /// same key path then needs no exchange.
    public func fromSource<S: Source, D: Deserializer, Key: Hashable>(
        _ source: S, deserializer: D, watermarks: WatermarkStrategy<D.Value> = .forMonotonousTimestamps(),
        partitionedBy key: KeyPath<D.Value, Key> & Sendable
    ) -> DataStream<D.Value> where S.Element == SourceRecord {
        fromSource(source, deserializer: deserializer, watermarks: watermarks).assumePartitioned(by: key)
    }

    /// Reads a byte source whose partitions are already partitioned by the selector
    /// `partitionedBy` of the deserialized values: a `keyBy` on that same ``KeySelector``
    /// instance then needs no exchange.
    public func fromSource<S: Source, D: Deserializer, Key: Hashable>(
        _ source: S, deserializer: D, watermarks: WatermarkStrategy<D.Value> = .forMonotonousTimestamps(),
        partitionedBy key: KeySelector<D.Value, Key>
    ) -> DataStream<D.Value> where S.Element == SourceRecord {
        fromSource(source, deserializer: deserializer, watermarks: watermarks).assumePartitioned(by: key)
    }

    /// A bounded stream of the given elements, in one partition, all at timestamp 0; give
    /// them event time with ``DataStream/assignTimestampsAndWatermarks(_:)``.
    public func fromElements<Element>(_ elements: Element...) -> DataStream<Element> {
        fromCollection(elements)
    }

    /// A bounded stream over an array, spread over `partitions`, all at timestamp 0.
    public func fromCollection<Element>(_ elements: [Element], partitions: Int = 1) -> DataStream<Element> {
        fromCollection(timestamped: elements.map { ($0, 0) }, partitions: partitions)
    }

    /// A bounded stream over values with their event timestamps (milliseconds).
    public func fromCollection<Element>(timestamped elements: [(Element, Int64)], partitions: Int = 1) -> DataStream<Element> {
        sourceCount += 1
        return fromSource(CollectionSource(name: "collection-\(sourceCount)", elements: elements, partitions: partitions))
    }

    /// A generated stream, for benchmarks and demos; see ``GeneratorSource``.
    public func generate<Element>(
        count: Int64?, partitions: Int = 1, timestamp: @escaping @Sendable (Int64) -> Int64 = { $0 },
        element: @escaping @Sendable (_ partition: Int32, _ index: Int64) -> Element
    ) -> DataStream<Element> {
        sourceCount += 1
        return fromSource(GeneratorSource(
            name: "generator-\(sourceCount)", count: count, partitions: partitions, timestamp: timestamp, element: element))
    }

    /// The job's stages, exchanges and topics.
    public func plan() throws -> JobPlan {
        try checkRuntimeBindings()
        return try Planner(jobName: jobName, graph: graph, parallelism: configuration.parallelism)
            .plan(sinkNames: sinks.map(\.name))
    }

    /// Sources and sinks made by a runtime (Kafka's) work only under that runtime: its consumer
    /// reads them, its transactional producer writes them.
    private func checkRuntimeBindings() throws {
        var connectors: [(name: String, bound: any RuntimeBound)] = []
        for node in graph.nodes {
            if case .source(let binding) = node.kind, let bound = binding.runtimeBound {
                connectors.append(("source \(binding.name)", bound))
            }
        }
        var allSinks = sinks
        if case .deadLetter(let sink) = configuration.badInputPolicy { allSinks.append(sink) }
        for sink in allSinks {
            if let bound = sink as? any RuntimeBound { connectors.append(("sink \(sink.name)", bound)) }
        }
        for connector in connectors where connector.bound.runtime !== runtime {
            throw JobError.invalidPlan(
                "\(connector.name) belongs to a \(type(of: connector.bound.runtime)) that this environment does not run on; create the environment with that runtime: StreamEnvironment(jobName: \"\(jobName)\", runtime: <the runtime that made it>)")
        }
    }

    /// The plan as text, for `sluice plan` and logs.
    public func describe() throws -> String {
        try plan().description
    }

    /// Plans the job and prepares it to run.
    public func build() throws -> Job {
        let planner = Planner(jobName: jobName, graph: graph, parallelism: configuration.parallelism)
        return Job(
            plan: try plan(), graph: graph, stageOf: try planner.stages(), configuration: configuration,
            runtime: runtime, sinks: sinks)
    }

    /// Builds and runs the job on the calling thread until its bounded sources end.
    @discardableResult
    public func execute() throws -> JobMetrics {
        try build().run()
    }
}
