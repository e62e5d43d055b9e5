/// An operator's current watermark as the scalar state of its checkpoints: a format version,
/// then the watermark.
enum WatermarkSnapshot {
    static func encode(_ watermark: Int64) -> [UInt8] {
        var writer = SnapshotWriter()
        writer.write(UInt8(1))
        writer.write(watermark)
        return writer.bytes
    }

    static func decode(_ bytes: [UInt8]) throws -> Int64 {
        var reader = SnapshotReader(bytes)
        let version = try reader.readUInt8()
        guard version == 1 else { throw StateError.corruptSnapshot("watermark of unknown version \(version)") }
        let watermark = try reader.readInt64()
        guard reader.isAtEnd else { throw StateError.corruptSnapshot("trailing bytes after a watermark") }
        return watermark
    }
}
