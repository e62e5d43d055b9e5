/// Where a Kafka source ends: never (a streaming job), or a bounded run (a backfill) that stops
/// each partition at an end, makes a final checkpoint and lets the job exit.
///
/// A bounded job ends once every partition it owns has ended: a final watermark then fires
/// every pending window and timer, the last checkpoint commits, and `Job.run()` returns.
/// The ends of the job's own repartition topics follow from their upstream tasks ending.
public enum KafkaSourceEnd: Sendable, Equatable {
    /// Unbounded: the source reads until the job is stopped.
    case never
    /// Each partition stops at the end offset (high watermark) it had when this worker was
    /// assigned it, like Flink's `setBounded(OffsetsInitializer.latest())`. Records written
    /// after that are left for the next run.
    ///
    /// Tansu 0.6 reports as high watermark the base offset of the partition's last record
    /// batch plus one, so there a run can stop before the last records of that batch.
    case latestAtStart
    /// Each partition stops before its first record whose timestamp is at or after this
    /// instant (milliseconds since the Unix epoch), or at the end offset it had when it was
    /// assigned, whichever comes first. The record at or past the instant is not handled, and
    /// no offset is committed past it, so the next run starts there.
    ///
    /// The end is found by reading record timestamps, not by the broker's offsets-for-times
    /// lookup, which none of the brokers this project tests on answers correctly.
    case timestamp(millisecondsSinceEpoch: Int64)

    /// Whether the source ends at all.
    public var isBounded: Bool { self != .never }
}
