import SluiceKafka

/// How `--until` reaches the Kafka source: the one place that maps it to a ``KafkaSourceEnd``.
///
/// - none: ``KafkaSourceEnd/never``, a streaming run until SIGINT or SIGTERM;
/// - `end`: ``KafkaSourceEnd/latestAtStart``, each partition stops at the end offset it had when
///   it was assigned;
/// - a time: ``KafkaSourceEnd/timestamp(millisecondsSinceEpoch:)``, each partition stops before
///   its first record whose timestamp is at or after the time.
enum SourceEnding {
    /// The source's end for `until`.
    static func ending(_ until: EndPosition?) -> KafkaSourceEnd {
        switch until {
        case nil: .never
        case .end: .latestAtStart
        case .time(let milliseconds, _): .timestamp(millisecondsSinceEpoch: milliseconds)
        }
    }

    /// A source of `topics` through `kafka`, from its committed offsets (a replay has moved
    /// them), ending as `until` says.
    static func source(kafka: KafkaRuntime, topics: [String], until: EndPosition?) throws -> KafkaSource {
        try kafka.source(topics: topics, startingOffsets: .committedOrEarliest, ending: ending(until))
    }
}
