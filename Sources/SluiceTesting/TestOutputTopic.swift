import Sluice

/// An output topic of a ``TestDriver``: the records the job wrote to it, decoded with a
/// deserializer. Reading consumes: each read returns the records written since the last one,
/// like Kafka Streams' `TestOutputTopic`.
public final class TestOutputTopic<Value> {
    /// The topic's name.
    public let name: String
    private let deserializer: any Deserializer<Value>
    private let store: TopicStore
    private var position = 0

    init(name: String, deserializer: any Deserializer<Value>, store: TopicStore) {
        self.name = name
        self.deserializer = deserializer
        self.store = store
    }

    /// Whether the job wrote nothing since the last read.
    public var isEmpty: Bool {
        store.outputs(name, from: position).isEmpty
    }

    /// The records written since the last read, in the order they were written; a value that
    /// does not decode is an error naming its index in the topic.
    public func readAll() throws -> [TestOutputRecord<Value>] {
        let records = store.outputs(name, from: position)
        var decoded: [TestOutputRecord<Value>] = []
        decoded.reserveCapacity(records.count)
        for (index, record) in zip(records.indices, records) {
            do {
                decoded.append(TestOutputRecord(
                    value: try deserializer.deserialize(nullable: record.value), key: record.key, headers: record.headers,
                    timestamp: record.timestamp, partition: record.partition))
            } catch {
                throw TestDriverError.undecodableOutput(topic: name, index: index, error: "\(error)")
            }
        }
        position = records.endIndex
        return decoded
    }

    /// The values written since the last read.
    public func readValues() throws -> [Value] {
        try readAll().map(\.value)
    }
}
