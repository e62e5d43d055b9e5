import CRdKafka
import Logging

/// Creates, deletes and describes topics.
public final class KafkaAdmin: Sendable {
    let client: RDKafkaClient

    /// Creates an admin client; throws with librdkafka's message when a property is invalid.
    public init(configuration: KafkaConfiguration, logger: Logger = Logger(label: "rdkafka.admin")) throws {
        client = try RDKafkaClient(kind: .producer, properties: configuration.librdkafkaProperties, logger: logger)
    }

    /// Creates a topic. With `ignoreExisting`, a topic that already exists is not an error
    /// (its partition count is not checked; use ``describeTopic(_:timeout:)``).
    public func createTopic(
        _ name: String, partitions: Int32, replicationFactor: Int32 = 1, config: [String: String] = [:],
        ignoreExisting: Bool = false, timeout: Duration = .seconds(30)
    ) throws {
        var errstr = [CChar](repeating: 0, count: 512)
        guard let topic = rd_kafka_NewTopic_new(name, partitions, replicationFactor, &errstr, errstr.count) else {
            throw KafkaError.client("create topic \(name): \(String(errorBuffer: errstr))")
        }
        defer { rd_kafka_NewTopic_destroy(topic) }
        for (key, value) in config.sorted(by: { $0.key < $1.key }) {
            try KafkaError.check(rd_kafka_NewTopic_set_config(topic, key, value), "create topic \(name): config \(key)=\(value)")
        }
        try run(timeout: timeout, what: "create topic \(name)") { queue, options in
            var topics: [OpaquePointer?] = [topic]
            rd_kafka_CreateTopics(client.handle, &topics, 1, options, queue)
        } result: { event in
            var count = 0
            let results = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count)
            try Self.checkTopicResults(results, count, context: "create topic", ignore: ignoreExisting ? RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS : nil)
        }
    }

    /// Deletes a topic. With `ignoreMissing`, a topic that does not exist is not an error.
    public func deleteTopic(_ name: String, ignoreMissing: Bool = false, timeout: Duration = .seconds(30)) throws {
        guard let topic = rd_kafka_DeleteTopic_new(name) else { throw KafkaError.client("delete topic \(name)") }
        defer { rd_kafka_DeleteTopic_destroy(topic) }
        try run(timeout: timeout, what: "delete topic \(name)") { queue, options in
            var topics: [OpaquePointer?] = [topic]
            rd_kafka_DeleteTopics(client.handle, &topics, 1, options, queue)
        } result: { event in
            var count = 0
            let results = rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(event), &count)
            try Self.checkTopicResults(results, count, context: "delete topic", ignore: ignoreMissing ? RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART : nil)
        }
    }

    /// Describes a topic from the cluster's metadata; throws when it does not exist.
    public func describeTopic(_ name: String, timeout: Duration = .seconds(10)) throws -> TopicDescription {
        try client.describeTopic(name, timeout: timeout)
    }

    /// The names of every topic in the cluster, sorted.
    public func listTopics(timeout: Duration = .seconds(10)) throws -> [String] {
        try client.listTopics(timeout: timeout)
    }

    func run(
        timeout: Duration, what: String,
        request: (OpaquePointer, OpaquePointer) -> Void, result: (OpaquePointer) throws -> Void
    ) throws {
        let queue = rd_kafka_queue_new(client.handle)!
        defer { rd_kafka_queue_destroy(queue) }
        let options = rd_kafka_AdminOptions_new(client.handle, RD_KAFKA_ADMIN_OP_ANY)!
        defer { rd_kafka_AdminOptions_destroy(options) }
        var errstr = [CChar](repeating: 0, count: 512)
        try KafkaError.check(
            rd_kafka_AdminOptions_set_request_timeout(options, timeout.timeoutMilliseconds, &errstr, errstr.count), what)
        try KafkaError.check(
            rd_kafka_AdminOptions_set_operation_timeout(options, timeout.timeoutMilliseconds, &errstr, errstr.count), what)
        request(queue, options)
        guard let event = rd_kafka_queue_poll(queue, timeout.timeoutMilliseconds + 1000) else {
            throw KafkaError(code: RD_KAFKA_RESP_ERR__TIMED_OUT, message: "\(what): no answer within \(timeout)")
        }
        defer { rd_kafka_event_destroy(event) }
        try KafkaError.check(rd_kafka_event_error(event), "\(what): \(rd_kafka_event_error_string(event).map { String(cString: $0) } ?? "")")
        try result(event)
    }

    private static func checkTopicResults(
        _ results: UnsafeMutablePointer<OpaquePointer?>?, _ count: Int, context: String, ignore: rd_kafka_resp_err_t?
    ) throws {
        guard let results else { return }
        for i in 0..<count {
            guard let r = results[i] else { continue }
            let err = rd_kafka_topic_result_error(r)
            if err == RD_KAFKA_RESP_ERR_NO_ERROR || err == ignore { continue }
            let name = String(cString: rd_kafka_topic_result_name(r))
            let text = rd_kafka_topic_result_error_string(r).map { String(cString: $0) } ?? ""
            throw KafkaError(code: err, message: "\(context) \(name): \(text)")
        }
    }
}
