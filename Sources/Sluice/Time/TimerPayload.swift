/// One key's pending timers of both domains as a checkpoint payload: per domain a count, then
/// (timestamp, sequence number) pairs.
struct TimerPayload {
    var event: [(timestamp: Int64, sequence: UInt64)] = []
    var processing: [(timestamp: Int64, sequence: UInt64)] = []

    init() {}

    init(decoding payload: [UInt8]) throws {
        var reader = SnapshotReader(payload)
        event = try Self.read(from: &reader)
        processing = try Self.read(from: &reader)
        guard reader.isAtEnd else { throw StateError.corruptSnapshot("trailing bytes in an entry of '\(ReservedStateName.timers)'") }
    }

    /// Sorted, so that equal timers give equal bytes.
    func encoded() -> [UInt8] {
        var writer = SnapshotWriter()
        for timers in [event, processing] {
            writer.write(UInt32(timers.count))
            for timer in timers.sorted(by: { $0.sequence < $1.sequence }) {
                writer.write(timer.timestamp)
                writer.write(timer.sequence)
            }
        }
        return writer.bytes
    }

    private static func read(from reader: inout SnapshotReader) throws -> [(timestamp: Int64, sequence: UInt64)] {
        var timers: [(timestamp: Int64, sequence: UInt64)] = []
        for _ in 0..<(try reader.readUInt32()) {
            timers.append((try reader.readInt64(), try reader.readUInt64()))
        }
        return timers
    }
}
