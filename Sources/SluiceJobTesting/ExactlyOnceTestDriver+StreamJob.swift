import Sluice
import SluiceJob
import SluiceTesting

extension ExactlyOnceTestDriver {
    /// A driver running `job`, a `StreamJob` as its executable runs it: each worker builds the
    /// job's pipeline with its `build(_:)`, and the job's `JobContext.source(topics:)` and
    /// `JobContext.sink(topic:)` lead to the driver's broker instead of Kafka.
    ///
    /// ```swift
    /// let driver = ExactlyOnceTestDriver(running: try WordCount.parse(["--input", "sentences"]))
    /// ```
    ///
    /// - Parameters:
    ///   - job: the job, with its options parsed (`Job.parse([…])`).
    ///   - broker: the broker, new by default.
    ///   - configuration: the job's configuration before its `build` changes it; a `run` sets the
    ///     checkpoint interval from the command line, which the driver replaces anyway.
    ///   - processingTime: processing time at the start, in milliseconds.
    public convenience init<Job: StreamJob>(
        running job: Job, broker: MemoryBroker = MemoryBroker(), configuration: JobConfiguration = JobConfiguration(),
        processingTime: Int64 = 0
    ) {
        self.init(jobName: Job.name, broker: broker, configuration: configuration, processingTime: processingTime) { env, runtime in
            // Every worker of the driver stands for a process of its own: index 0, as in a
            // `run` without --workers.
            try job.build(JobContext(environment: env, connector: MemoryBrokerTopicConnector(runtime: runtime)))
        }
    }
}
