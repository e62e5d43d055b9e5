/// One record of keyed state in a checkpoint topic: a run of entries per (participant, state),
/// at most about ``targetSize`` bytes, so large snapshots split over many records that each fit
/// a broker's message size limit.
///
/// Format (version 1): the record header (``CheckpointRecordKind``), then runs until the end, each a
/// participant id, a state name, an entry count, and per entry the key bytes and the payload
/// (absent for a key cleared since the previous checkpoint).
struct SnapshotPiece {
    /// What a piece aims at; an entry larger than this still goes into a piece of its own.
    static let targetSize = 512 * 1024

    /// Decodes a piece and hands each entry to `body` with its participant id, in order.
    static func forEachEntry(in bytes: [UInt8], _ body: (String, KeyedStateEntry) throws -> Void) throws {
        var reader = SnapshotReader(bytes)
        try CheckpointRecordKind.expect(.piece, reading: &reader)
        while !reader.isAtEnd {
            let participant = try reader.readString()
            let state = try reader.readString()
            for _ in 0..<(try reader.readUInt32()) {
                let key = try reader.readBytes()
                try body(participant, KeyedStateEntry(state: state, key: key, payload: try reader.readOptionalBytes()))
            }
        }
    }
}

/// Collects keyed entries into pieces of about ``SnapshotPiece/targetSize`` bytes.
struct SnapshotPieceWriter {
    private var writer = SnapshotWriter()
    private var run: (participant: String, state: String, entries: SnapshotWriter, count: UInt32)?
    /// Finished pieces, ready to append to the log.
    private(set) var pieces: [[UInt8]] = []
    /// Entries written so far.
    private(set) var entryCount: UInt64 = 0

    init() {
        startPiece()
    }

    mutating func add(_ entry: KeyedStateEntry, of participant: String) {
        if let current = run, current.participant != participant || current.state != entry.state {
            closeRun()
        }
        if run == nil {
            run = (participant, entry.state, SnapshotWriter(), 0)
        }
        run!.entries.write(bytes: entry.key)
        run!.entries.write(optionalBytes: entry.payload)
        run!.count += 1
        entryCount += 1
        if writer.bytes.count + run!.entries.bytes.count >= SnapshotPiece.targetSize {
            closeRun()
            finishPiece()
        }
    }

    /// Closes the last piece; returns every piece.
    mutating func finish() -> [[UInt8]] {
        closeRun()
        finishPiece()
        return pieces
    }

    private mutating func closeRun() {
        guard let current = run else { return }
        writer.write(string: current.participant)
        writer.write(string: current.state)
        writer.write(current.count)
        writer.write(raw: current.entries.bytes)
        run = nil
    }

    private mutating func finishPiece() {
        if writer.bytes.count > Self.headerSize { pieces.append(writer.bytes) }
        startPiece()
    }

    private static let headerSize = CheckpointRecordKind.piece.header().bytes.count

    private mutating func startPiece() {
        writer = CheckpointRecordKind.piece.header()
    }
}
