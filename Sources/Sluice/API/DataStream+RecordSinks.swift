/// Byte sinks written from keys and values, each through its own serializer.
extension DataStream {
    /// Writes each `(key, value)` element as a record of the sink's default topic, the key
    /// through `keySerializer`, the value through `valueSerializer`. Both go through
    /// ``Serializer/serialize(nullable:)``: the `nil` of an Optional value is a tombstone, of an
    /// Optional key a record without key.
    public func sink<S: Sink, KeyEncoder: Serializer, ValueEncoder: Serializer>(
        to sink: S, keySerializer: KeyEncoder, valueSerializer: ValueEncoder
    ) where S.Element == SinkRecord, Element == (KeyEncoder.Value, ValueEncoder.Value) {
        map(named: "serialize") { element in
            SinkRecord(key: try keySerializer.serialize(nullable: element.0),
                       value: try valueSerializer.serialize(nullable: element.1))
        }
        .sink(to: sink)
    }

    /// Writes each consumed record back as a record of the sink's default topic: its key and
    /// value through the serializers (as the `(key, value)` form does),
    /// its headers and timestamp as they are.
    public func sink<S: Sink, KeyEncoder: Serializer, ValueEncoder: Serializer>(
        to sink: S, keySerializer: KeyEncoder, valueSerializer: ValueEncoder
    ) where S.Element == SinkRecord, Element == ConsumedRecord<KeyEncoder.Value, ValueEncoder.Value> {
        map(named: "serialize") { record in
            SinkRecord(key: try keySerializer.serialize(nullable: record.key),
                       value: try valueSerializer.serialize(nullable: record.value),
                       headers: record.headers, timestamp: record.timestamp)
        }
        .sink(to: sink)
    }
}
