import Sluice

/// An output topic of an ``ExactlyOnceTestDriver``, read as a consumer of the broker would.
///
/// ``readCommitted()`` is what matters for exactly-once: what a read_committed consumer reads,
/// only records of committed transactions. ``readUncommitted()`` shows the log as it is, records
/// of aborted transactions (work a crash threw away) and of open ones included. Reads do not
/// consume: each returns the topic from its start.
public final class BrokerOutputTopic<Value> {
    /// The topic's name.
    public let name: String
    private let broker: MemoryBroker
    private let deserializer: any Deserializer<Value>

    init(name: String, broker: MemoryBroker, deserializer: any Deserializer<Value>) {
        self.name = name
        self.broker = broker
        self.deserializer = deserializer
    }

    /// The records a read_committed consumer reads, partition by partition in offset order; a
    /// value that does not decode is an error naming its partition and offset.
    public func readCommitted() throws -> [TestOutputRecord<Value>] {
        try read(broker.readCommitted)
    }

    /// The values ``readCommitted()`` reads.
    public func readCommittedValues() throws -> [Value] {
        try readCommitted().map(\.value)
    }

    /// Every record in the topic, partition by partition, those of aborted and open
    /// transactions included.
    public func readUncommitted() throws -> [TestOutputRecord<Value>] {
        try read { broker.records($0) }
    }

    private func read(_ records: (Split) -> [MemoryRecord]) throws -> [TestOutputRecord<Value>] {
        var decoded: [TestOutputRecord<Value>] = []
        for partition in 0..<Int32(broker.partitionCount(name) ?? 0) {
            for record in records(Split(topic: name, partition: partition)) {
                do {
                    decoded.append(TestOutputRecord(
                        value: try deserializer.deserialize(nullable: record.value), key: record.key, headers: record.headers,
                        timestamp: record.timestamp, partition: partition))
                } catch {
                    throw TestDriverError.undecodableOutput(topic: name, index: Int(record.offset), error: "partition \(partition): \(error)")
                }
            }
        }
        return decoded
    }
}
