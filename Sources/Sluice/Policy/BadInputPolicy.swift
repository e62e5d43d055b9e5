/// What a job does with a record it cannot handle: one that fails to deserialize, or that makes
/// a user function (map, filter, key selector, process function, serializer…) throw.
///
/// Whatever the policy, no source position is committed past a record that was neither
/// processed nor handled by the policy.
public enum BadInputPolicy: Sendable {
    /// Stop the job with a ``RecordFailure`` naming the record's topic, partition, offset and
    /// the error; positions before the failing batch stay committed.
    case fail
    /// Drop the record, count it in ``JobMetrics/skippedRecords``, and go on.
    case skip
    /// Write the original key, value and headers to the sink, with headers
    /// `sluice.dlq.topic`, `sluice.dlq.partition`, `sluice.dlq.offset` and `sluice.dlq.error`
    /// added, count it in ``JobMetrics/deadLetteredRecords``, and go on. The sink is flushed
    /// before every commit like any other.
    case deadLetter(any Sink<SinkRecord>)
}

/// The header names the dead-letter policy adds.
public enum DeadLetterHeader {
    /// The topic (or in-process source name) the failed record was read from.
    public static let topic = "sluice.dlq.topic"
    /// The failed record's partition, as decimal text.
    public static let partition = "sluice.dlq.partition"
    /// The failed record's own offset, as decimal text.
    public static let offset = "sluice.dlq.offset"
    /// The failing operator and the error, as `operator: error`.
    public static let error = "sluice.dlq.error"
}
