import Foundation

/// How a job runs: batching, commit cadence, threads, bad-input policy, state and clock.
public struct JobConfiguration: Sendable {
    /// Records per source poll; each round moves at most this many through the whole job.
    public var batchSize = 4096
    /// How often sinks are flushed and positions committed.
    public var commitInterval: Duration = .seconds(5)
    /// How long one poll may wait for records.
    public var pollTimeout: Duration = .milliseconds(100)
    /// Threads running tasks; 1 runs every task on the driver thread.
    public var threads = ProcessInfo.processInfo.activeProcessorCount
    /// Partitions (tasks) behind each exchange; by default the largest source partition count.
    public var parallelism: Int?
    /// What to do with records that fail to deserialize or make a function throw.
    public var badInputPolicy: BadInputPolicy = .fail
    /// Where keyed state lives.
    public var stateBackend: any StateBackend = MemoryStateBackend()
    /// Where processing time comes from.
    public var clock: any ProcessingTimeClock = SystemClock()

    /// The defaults listed above; set the properties you need to change.
    public init() {}
}
