import Sluice

/// Runs a job over in-memory topics with time under the test's control, like Kafka Streams'
/// `TopologyTestDriver`: pipe records in, move processing time and watermarks, read what the
/// job wrote. No broker, no sleeps, and the same result on every run.
///
/// ```swift
/// let driver = TestDriver(jobName: "word-count") { env, topics in
///     env.fromSource(try topics.source(topics: ["sentences"]), deserializer: UTF8StringCodec(),
///                    watermarks: .forBoundedOutOfOrderness(.seconds(2)))
///         .flatMap { $0.split(separator: " ").map(String.init) }
///         .keyBy(\.self)
///         .window(TumblingEventTimeWindows.of(seconds: 10))
///         .aggregate(Count()) { word, window, count in "\(word) \(window.start) \(count)" }
///         .sink(to: topics.sink(topic: "word-counts"), serializer: UTF8StringCodec())
/// }
/// let sentences = try driver.input("sentences", partitions: 3, serializer: UTF8StringCodec())
/// let counts = driver.output("word-counts", deserializer: UTF8StringCodec())
/// try sentences.pipe(value: "a b a", timestamp: 1_000)
/// try driver.advanceWatermark(to: 10_000)
/// try counts.readValues()   // the counts of window [0, 10 s)
/// ```
///
/// ## What runs
///
/// The job is planned and run by the engine itself (``StreamEnvironment/build()`` and
/// ``Job/run()``): the same operator chains, the same stages, `keyBy` through in-process hash
/// exchanges, on a ``LocalRuntime`` (at-least-once; nothing is checkpointed). The driver sets
/// the configuration's `threads` to 1 and its `clock` to a manual one, and wraps its
/// `stateBackend` to find operators' state; everything else (batch size, parallelism,
/// bad-input policy) is the test's.
///
/// The job starts at the first pipe or time advance (or ``start()``), so declare every input
/// topic first. After each pipe or advance the job runs **rounds** until it has read everything
/// piped: each round polls the topics, pushes the round's processing time, the records and the
/// watermarks through every stage in order, so when the call returns, every result they cause
/// has been written. The job runs on a thread of its own in lock-step with the test: never at
/// the same time, so tests need no waiting.
///
/// ## Time
///
/// - Event time is the record timestamps, with the job's own ``WatermarkStrategy``: a split's
///   watermark moves with the records piped into it, and an operator behind a `keyBy` sees the
///   minimum over every partition of its inputs, as in production. ``advanceWatermark(to:)``
///   declares a watermark on every partition without records.
/// - ``endInputs()`` (or ``TestInputTopic/end()``) ends the inputs as bounded inputs end: the
///   final watermark fires every pending window and event-time timer.
/// - Processing time starts at `processingTime` (0 by default) and moves only with
///   ``advanceProcessingTime(by:)``, which fires every processing-time timer due.
///
/// Keyed state can be read between calls: ``valueState(_:ofOperator:key:)``,
/// ``listState(_:ofOperator:key:)``, ``mapState(_:ofOperator:key:)``, ``keys(ofOperator:as:)``.
public final class TestDriver {
    /// The job's name, as its consumer group would be named.
    public let jobName: String
    private let store = TopicStore()
    private let clock: ManualClock
    private let lockstep = Lockstep()
    let stateBackend: RecordingStateBackend
    private var definition: ((StreamEnvironment, TestTopics) throws -> Void)?
    private var configuration: JobConfiguration
    private var topics: TestTopics?
    private var job: Job?
    private var closed = false

    /// A driver for the job `definition` builds; nothing runs until the first pipe or advance.
    ///
    /// - Parameters:
    ///   - jobName: the job's name.
    ///   - configuration: the job's configuration; `threads` and `clock` are replaced.
    ///   - processingTime: processing time at the start, in milliseconds.
    ///   - definition: builds the job on the environment, reading and writing `topics`.
    public init(jobName: String = "test-job", configuration: JobConfiguration = JobConfiguration(), processingTime: Int64 = 0,
                job definition: @escaping (StreamEnvironment, TestTopics) throws -> Void) {
        self.jobName = jobName
        self.configuration = configuration
        self.definition = definition
        clock = ManualClock(start: processingTime)
        stateBackend = RecordingStateBackend(wrapping: configuration.stateBackend)
    }

    deinit {
        if let job, !lockstep.hasFinished {
            job.stop()
            _ = try? lockstep.finish()
        }
    }

    /// The job's plan: its stages, exchanges and sinks; builds the job if it has not started.
    public var plan: JobPlan {
        get throws {
            try start()
            return job!.plan
        }
    }

    /// The current processing time in milliseconds.
    public var processingTime: Int64 { clock.now() }

    /// Declares an input topic of raw bytes (or returns the one declared), with `partitions`
    /// partitions.
    public func input(_ topic: String, partitions: Int = 1) throws -> TestInputTopic<[UInt8]> {
        try input(topic, partitions: partitions, serializer: BytesCodec())
    }

    /// Declares an input topic (or returns the one declared) whose values `serializer` encodes.
    /// Declaring it again with another partition count is an error.
    public func input<S: Serializer>(_ topic: String, partitions: Int = 1, serializer: S) throws -> TestInputTopic<S.Value> {
        guard partitions > 0 else {
            throw TestDriverError.noSuchPartition(topic: topic, partition: 0, partitions: partitions)
        }
        try store.declareInput(topic, partitions: partitions)
        return TestInputTopic(name: topic, partitions: partitions, serializer: serializer, driver: self, store: store)
    }

    /// The records the job writes to `topic`, decoded with `deserializer`. Each handle reads
    /// from the topic's start.
    public func output<D: Deserializer>(_ topic: String, deserializer: D) -> TestOutputTopic<D.Value> {
        TestOutputTopic(name: topic, deserializer: deserializer, store: store)
    }

    /// The records the job writes to `topic`, values as raw bytes.
    public func output(_ topic: String) -> TestOutputTopic<[UInt8]> {
        output(topic, deserializer: BytesCodec())
    }

    /// Moves processing time forward by `duration` and runs a round, which fires every
    /// processing-time timer due by then.
    public func advanceProcessingTime(by duration: Duration) throws {
        let (seconds, attoseconds) = duration.components
        precondition(seconds >= 0 && attoseconds >= 0, "processing time never goes back")
        clock.set(processingTime + seconds * 1_000 + attoseconds / 1_000_000_000_000_000)
        try process(atLeastOneRound: true)
    }

    /// Declares `watermark` on every partition of every input topic not ended (see
    /// ``TestInputTopic/advanceWatermark(to:)``) and processes it.
    public func advanceWatermark(to watermark: Int64) throws {
        for topic in store.openInputTopics { try store.declareWatermark(watermark, on: topic) }
        try process()
    }

    /// Ends every input topic (see ``TestInputTopic/end()``) and processes the final watermarks.
    public func endInputs() throws {
        for topic in store.inputTopics { try store.end(topic) }
        try process()
    }

    /// Builds the job and starts it, parked before its first round; the first pipe or advance
    /// does this by itself. Errors of the job definition or its plan surface here.
    public func start() throws {
        guard job == nil else { return }
        guard !closed, let definition else { throw TestDriverError.jobNotRunning("the driver was closed") }
        var configuration = configuration
        configuration.threads = 1
        configuration.clock = clock
        configuration.stateBackend = stateBackend
        let env = StreamEnvironment(jobName: jobName, runtime: LocalRuntime(), configuration: configuration)
        let topics = TestTopics(store: store, lockstep: lockstep)
        try definition(env, topics)
        guard !topics.sources.isEmpty else { throw TestDriverError.noTestSource }
        let job = try env.build()
        self.definition = nil
        self.topics = topics
        self.job = job
        try lockstep.start(job)
    }

    /// Stops the job as a signal would (it finishes its round and makes its final commit) and
    /// returns its metrics; the driver accepts no more input afterwards.
    @discardableResult
    public func close() throws -> JobMetrics? {
        guard !closed else { return nil }
        closed = true
        guard let job, !lockstep.hasFinished else { return nil }
        job.stop()
        return try lockstep.finish()
    }

    /// Runs rounds until the job has read everything piped and declared.
    func process(atLeastOneRound: Bool = false) throws {
        guard !closed else { throw TestDriverError.jobNotRunning("the driver was closed") }
        try start()
        let sources = topics!.sources
        var mustRun = atLeastOneRound || sources.contains(where: \.hasUnread)
        while mustRun {
            let before = sources.reduce(0) { $0 + $1.position }
            try lockstep.runRound()
            let after = sources.reduce(0) { $0 + $1.position }
            // A source the job never reads (not in its graph) would never catch up.
            mustRun = after > before && sources.contains(where: \.hasUnread)
        }
    }
}
