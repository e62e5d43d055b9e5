/// ListOffsets v1 for one partition: its earliest or latest offset.
enum ListOffsetsRequest {
    /// The timestamps Kafka reads as "earliest" and "latest".
    enum Position: Int64 {
        case earliest = -2
        case latest = -1
    }

    static func body(topic: String, partition: Int32, position: Position) -> [UInt8] {
        var writer = RequestWriter()
        writer.int32(-1)  // replica id: a consumer
        writer.array([topic]) { writer, name in
            writer.string(name)
            writer.array([partition]) { writer, id in
                writer.int32(id)
                writer.int64(position.rawValue)
            }
        }
        return writer.bytes
    }

    static func decode(_ body: [UInt8], partition: Int32) throws -> (errorCode: Int16, offset: Int64)? {
        var reader = ByteReader(body)
        for _ in 0..<(try reader.arrayCount()) {
            _ = try reader.string()
            for _ in 0..<(try reader.arrayCount()) {
                let id = try reader.int32()
                let errorCode = try reader.int16()
                _ = try reader.int64()  // timestamp
                let offset = try reader.int64()
                if id == partition { return (errorCode, offset) }
            }
        }
        return nil
    }
}
