import CRdKafka
import Synchronization

/// A producer's open topic handles, each with a small integer id that librdkafka hands back
/// with every delivery report (the topic configuration's opaque), so reports name their topic
/// without a `String`.
final class ProducerTopics: Sendable {
    private let client: RDKafkaClient
    private let table = Mutex(Table())

    private struct Table {
        var byName: [String: TopicHandle] = [:]
        var names: [String] = []
    }

    init(client: RDKafkaClient) {
        self.client = client
    }

    /// The handle of `name`, opened on first use.
    func handle(_ name: String) throws -> TopicHandle {
        try table.withLock { table in
            if let handle = table.byName[name] { return handle }
            let id = table.names.count
            let conf = rd_kafka_topic_conf_new()
            // Offset by one: a null opaque means a topic this table did not open.
            rd_kafka_topic_conf_set_opaque(conf, UnsafeMutableRawPointer(bitPattern: id + 1))
            // rd_kafka_topic_new takes the configuration, also when it fails.
            guard let rkt = rd_kafka_topic_new(client.handle, name, conf) else {
                throw KafkaError(code: rd_kafka_last_error(), message: "cannot open topic \(name)")
            }
            let handle = TopicHandle(handle: rkt, id: id)
            table.byName[name] = handle
            table.names.append(name)
            return handle
        }
    }

    /// The name of the topic opened with `id`.
    func name(id: Int) -> String? {
        table.withLock { $0.names.indices.contains(id) ? $0.names[id] : nil }
    }

    /// The id `rkt` was opened with, or -1 for a topic not opened here.
    static func id(of rkt: OpaquePointer) -> Int {
        guard let opaque = rd_kafka_topic_opaque(rkt) else { return -1 }
        return Int(bitPattern: opaque) - 1
    }

    /// Destroys the handles; before the client handle that owns them.
    func removeAll() {
        table.withLock { $0.byName.removeAll() }
    }
}

/// A cached `rd_kafka_topic_t`, destroyed with the producer.
final class TopicHandle: @unchecked Sendable {
    let handle: OpaquePointer
    let id: Int
    init(handle: OpaquePointer, id: Int) {
        self.handle = handle
        self.id = id
    }
    deinit { rd_kafka_topic_destroy(handle) }
}
