extension MemoryBroker {
    /// What a consumer of the broker is handed, as the brokers Sluice runs on differ.
    ///
    /// Sluice's own reads (its repartition and checkpoint topics) are exactly-once on every one
    /// of them: a test passing under ``readUncommitted`` shows that the job does not rely on the
    /// broker filtering anything.
    public enum ReadIsolation: Sendable, Equatable {
        /// Every record, those of open and of aborted transactions included, as librdkafka's
        /// mock clusters hand them out. The default: the hardest case for the job.
        case readUncommitted
        /// Records up to the partition's last stable offset (the first record of a transaction
        /// still open), those of aborted transactions included, as Tansu serves read_committed.
        case lastStableOffset
        /// Kafka's read_committed: up to the last stable offset, without the records of aborted
        /// transactions.
        case readCommitted
    }
}
