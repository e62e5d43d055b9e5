import ArgumentParser
import SluiceKafka

/// How `--until` reaches the Kafka source: the one place that knows which ends the source
/// supports.
///
/// `end` is the source's bounded run (`stopsAtEnd: true`: each partition stops at the end
/// offset it had when it was assigned). An end time needs `KafkaSourceEnd.timestamp`, which
/// `KafkaRuntime.source(…, ending:)` does not offer in this build: it is refused here, before
/// anything runs.
enum SourceEnding {
    /// Refuses an end this build cannot honour.
    static func validate(_ until: EndPosition?) throws {
        if case .time(_, let text) = until {
            throw ValidationError(
                "--until \(text): ending at a time is not supported yet (the Kafka source stops only at the end offsets); use --until end")
        }
    }

    /// A source of `topics` through `kafka`, from its committed offsets (a replay has moved
    /// them), ending as `until` says.
    static func source(kafka: KafkaRuntime, topics: [String], until: EndPosition?) throws -> KafkaSource {
        try validate(until)
        return try kafka.source(topics: topics, startingOffsets: .committedOrEarliest, stopsAtEnd: until == .end)
    }
}
