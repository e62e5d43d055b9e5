import Logging
import RdKafka
import SluiceKafka

/// Checks that a job's input topics exist before anything reads them: some brokers (Tansu)
/// create a topic that a metadata request names, so describing a missing topic would not fail.
/// Listing all topics names none.
enum InputTopicCheck {
    /// Throws a ``MissingInputTopic`` for the first of `topics` (patterns starting with `^`
    /// aside) that the brokers do not list; a broker that cannot be reached is named.
    static func requireExisting(
        _ topics: [String], bootstrapServers: String, properties: [String: String], logger: Logger
    ) throws {
        let named = topics.filter { !$0.hasPrefix("^") }
        guard !named.isEmpty else { return }
        var configuration = KafkaConfiguration(bootstrapServers: bootstrapServers)
        configuration.properties = properties
        let existing: Set<String>
        do {
            let admin = try KafkaAdmin(configuration: configuration, logger: logger)
            existing = Set(try admin.listTopics())
        } catch let error as KafkaError {
            let place = error.meansUnreachable ? "cannot reach Kafka at" : "Kafka at"
            throw KafkaError(
                code: error.code, name: error.name, message: "\(place) \(bootstrapServers): listing topics: \(error.message)",
                isRetriable: error.isRetriable, requiresAbort: error.requiresAbort, isFatal: error.isFatal)
        }
        if let missing = named.first(where: { !existing.contains($0) }) {
            throw MissingInputTopic(topic: missing, bootstrapServers: bootstrapServers)
        }
    }
}

/// An input topic the brokers do not have.
struct MissingInputTopic: Error, CustomStringConvertible {
    var topic: String
    var bootstrapServers: String

    var description: String {
        "input topic \(topic) does not exist at \(bootstrapServers); create it first (the job does not create its inputs)"
    }
}
