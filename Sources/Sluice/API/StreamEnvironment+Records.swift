/// Byte sources read as whole records: key and value each through their own deserializer.
extension StreamEnvironment {
    /// Reads a byte source, decoding each record's key with `keyDeserializer` and its value with
    /// `valueDeserializer`, keeping its headers, timestamp, topic, partition and offset.
    ///
    /// A key or value that fails to decode follows the job's ``BadInputPolicy``, the message
    /// saying which of the two failed; so does a null key or value unless its deserializer's
    /// type is Optional (``OptionalCodec``, `JSONCodec<T?>`). The stream is not known to be
    /// partitioned by any key.
    public func fromSource<S: Source, KeyDecoder: Deserializer, ValueDecoder: Deserializer>(
        _ source: S, keyDeserializer: KeyDecoder, valueDeserializer: ValueDecoder,
        watermarks: WatermarkStrategy<ConsumedRecord<KeyDecoder.Value, ValueDecoder.Value>> = .forMonotonousTimestamps()
    ) -> DataStream<ConsumedRecord<KeyDecoder.Value, ValueDecoder.Value>> where S.Element == SourceRecord {
        let records = fromSource(
            source,
            watermarks: WatermarkStrategy<SourceRecord>(
                outOfOrderness: watermarks.outOfOrdernessMilliseconds, assigner: nil,
                idleTimeout: watermarks.idleTimeoutMilliseconds))
        let decoded = records.map(named: "deserialize") { record in
            ConsumedRecord(
                key: try decodeKey(record.key, with: keyDeserializer),
                value: try decodeValue(record.value, with: valueDeserializer),
                headers: record.headers, timestamp: record.timestamp,
                topic: record.topic, partition: record.partition, offset: record.offset)
        }
        return watermarks.timestampAssigner == nil ? decoded : decoded.assignTimestampsAndWatermarks(watermarks)
    }
}

/// A record's part that failed to decode: which part, and why.
struct RecordPartError: Error, CustomStringConvertible {
    /// `key` or `value`.
    var part: String
    var underlying: any Error

    var description: String {
        "\(part): \((underlying as? DecodingError)?.summary ?? "\(underlying)")"
    }
}

private func decodeKey<D: Deserializer>(_ bytes: [UInt8]?, with deserializer: D) throws -> D.Value {
    do {
        return try deserializer.deserialize(nullable: bytes)
    } catch SerializationError.nullValue(let expected) {
        throw SerializationError.nullKey(expected: expected)
    } catch {
        throw RecordPartError(part: "key", underlying: error)
    }
}

private func decodeValue<D: Deserializer>(_ bytes: [UInt8]?, with deserializer: D) throws -> D.Value {
    do {
        return try deserializer.deserialize(nullable: bytes)
    } catch SerializationError.nullValue(let expected) {
        throw SerializationError.nullValue(expected: expected)
    } catch {
        throw RecordPartError(part: "value", underlying: error)
    }
}
