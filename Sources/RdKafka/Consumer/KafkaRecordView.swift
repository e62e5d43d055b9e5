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

    /// The key copied into a new array, or `nil` for a null key.
    public func copyKey() -> [UInt8]? {
        copyBytes(message.pointee.key, count: message.pointee.key_len)
    }

    /// The value copied into a new array, or `nil` for a tombstone.
    public func copyValue() -> [UInt8]? {
        copyBytes(message.pointee.payload, count: message.pointee.len)
    }

    /// Hands each header to `body` in order, its value in place (`nil` is Kafka's null),
    /// without building an intermediate array.
    public func forEachHeader(_ body: (_ name: String, _ value: UnsafeRawBufferPointer?) throws -> Void) rethrows {
        var list: OpaquePointer?
        guard rd_kafka_message_headers(message, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { return }
        var index = 0
        var name: UnsafePointer<CChar>?
        var value: UnsafeRawPointer?
        var size = 0
        while rd_kafka_header_get_all(list, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
            try body(name.map { String(cString: $0) } ?? "", value.map { UnsafeRawBufferPointer(start: $0, count: size) })
            index += 1
        }
    }

    /// The headers, copied.
    public var headers: [KafkaHeader] {
        var out: [KafkaHeader] = []
        forEachHeader { name, value in out.append(KafkaHeader(name, value.map { Array($0) })) }
        return out
    }

    /// A copy that outlives the poll.
    public func makeRecord() -> ConsumerRecord {
        ConsumerRecord(
            topic: topic, partition: partition, offset: offset, timestamp: timestamp,
            key: copyKey(), value: copyValue(), headers: headers)
    }
}

/// `count` bytes at `start` as an array, or `nil` for a null pointer (Kafka's null).
///
/// Through `UnsafeBufferPointer<UInt8>`, whose copy into a new array is one `memcpy` in code
/// the compiler specializes; `Array(unsafeUninitializedCapacity:)` measured about 900
/// instructions a record more here, in the standard library's unspecialized allocation path.
private func copyBytes(_ start: UnsafeRawPointer?, count: Int) -> [UInt8]? {
    guard let start else { return nil }
    return Array(UnsafeBufferPointer(start: start.assumingMemoryBound(to: UInt8.self), count: count))
}
