import CRdKafka

/// A consumed record seen in place in librdkafka's buffers, without copying.
///
/// Valid only inside the closure of ``KafkaConsumer/poll(maxRecords:timeout:_:)`` that
/// handed it out: its buffers are freed when the closure returns. Copy what must outlive
/// it, or call ``makeRecord()``.
public struct KafkaRecordView {
    let message: UnsafePointer<rd_kafka_message_t>

    /// The topic name.
    public let topic: String

    init(message: UnsafePointer<rd_kafka_message_t>, topic: String) {
        self.message = message
        self.topic = topic
    }
    /// The partition.
    public var partition: Int32 { message.pointee.partition }
    /// The offset.
    public var offset: Int64 { message.pointee.offset }

    /// The key, or `nil` for a null key.
    public var key: UnsafeRawBufferPointer? {
        guard let key = message.pointee.key else { return nil }
        return UnsafeRawBufferPointer(start: key, count: message.pointee.key_len)
    }

    /// The value, or `nil` for a tombstone.
    public var value: UnsafeRawBufferPointer? {
        guard let payload = message.pointee.payload else { return nil }
        return UnsafeRawBufferPointer(start: payload, count: message.pointee.len)
    }

    /// Timestamp in milliseconds since the epoch, or `nil` when not available.
    public var timestamp: Int64? {
        var type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let ts = rd_kafka_message_timestamp(message, &type)
        return type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : ts
    }

    /// The headers, copied.
    public var headers: [KafkaHeader] {
        var list: OpaquePointer?
        guard rd_kafka_message_headers(message, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { return [] }
        var out: [KafkaHeader] = []
        var index = 0
        var name: UnsafePointer<CChar>?
        var value: UnsafeRawPointer?
        var size = 0
        while rd_kafka_header_get_all(list, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
            let bytes = value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }
            out.append(KafkaHeader(name.map { String(cString: $0) } ?? "", bytes))
            index += 1
        }
        return out
    }

    /// A copy that outlives the poll.
    public func makeRecord() -> ConsumerRecord {
        ConsumerRecord(
            topic: topic, partition: partition, offset: offset, timestamp: timestamp,
            key: key.map { Array($0) }, value: value.map { Array($0) }, headers: headers)
    }
}
