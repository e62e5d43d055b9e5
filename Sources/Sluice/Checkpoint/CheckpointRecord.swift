/// A record of a task's checkpoint partition, decoded by its kind: the one place that tells
/// the kinds apart, for restores, the checkpoint catalog and the offset tools alike.
///
/// Every record starts with the magic bytes `SC`, the format version
/// (``CheckpointManifest/formatVersion``) and its kind; each kind's own type encodes and
/// decodes the rest (``CheckpointManifest``, ``CheckpointConfirmation``, ``CheckpointReset``;
/// snapshot pieces are read only by the restore that their manifest leads to).
public enum CheckpointRecord: Sendable, Equatable {
    /// A snapshot piece: keyed state entries, which a manifest names by offset.
    case piece
    /// A manifest: everything a restore of the task needs.
    case manifest(CheckpointManifest)
    /// A confirmation that a checkpoint committed.
    case confirmation(CheckpointConfirmation)
    /// An operator's reset of the task's state.
    case reset(CheckpointReset)

    /// Decodes any record of a checkpoint partition.
    ///
    /// - Throws: ``CheckpointFormatError`` for a record that is not Sluice's, of a format
    ///   version this build does not read, of an unknown kind, or damaged.
    public static func decode(_ bytes: [UInt8]) throws -> CheckpointRecord {
        var reader = SnapshotReader(bytes)
        do {
            switch try CheckpointRecordKind.read(from: &reader) {
            case .piece: return .piece
            case .manifest: return .manifest(try CheckpointManifest.decode(bytes))
            case .confirmation: return .confirmation(try CheckpointConfirmation.decode(bytes))
            case .reset: return .reset(try CheckpointReset.decode(bytes))
            }
        } catch let error as CheckpointFormatError {
            throw error
        } catch {
            // The reader's own error: the record ends before its fields do.
            throw CheckpointFormatError.malformed("\(error)")
        }
    }

    /// The record's kind in words, as messages name it: `snapshot piece`, `manifest`,
    /// `confirmation`, `reset record`.
    public var kindName: String { kind.name }

    var kind: CheckpointRecordKind {
        switch self {
        case .piece: .piece
        case .manifest: .manifest
        case .confirmation: .confirmation
        case .reset: .reset
        }
    }
}

/// What a record of a checkpoint topic holds: the fourth byte of its header, after the magic
/// bytes `SC` and the format version, so that a record that is not Sluice's, or is of another
/// kind than expected, is named as such rather than misread.
enum CheckpointRecordKind: UInt8 {
    /// A snapshot piece (``SnapshotPiece``).
    case piece = 1
    /// A manifest (``CheckpointManifest``).
    case manifest = 2
    /// A confirmation (``CheckpointConfirmation``).
    case confirmation = 3
    /// An operator's reset of the task's state (``CheckpointReset``).
    case reset = 4

    private static let magic: [UInt8] = Array("SC".utf8)

    /// The kind in words, as messages name it.
    var name: String {
        switch self {
        case .piece: "snapshot piece"
        case .manifest: "manifest"
        case .confirmation: "confirmation"
        case .reset: "reset record"
        }
    }

    /// A writer holding the header of a record of this kind.
    func header() -> SnapshotWriter {
        var writer = SnapshotWriter()
        writer.write(raw: Self.magic)
        writer.write(CheckpointManifest.formatVersion)
        writer.write(rawValue)
        return writer
    }

    /// Reads the header; throws unless it is Sluice's, of this build's version and of a known
    /// kind.
    static func read(from reader: inout SnapshotReader) throws -> CheckpointRecordKind {
        let found = try readHeader(from: &reader)
        guard let kind = CheckpointRecordKind(rawValue: found) else {
            throw CheckpointFormatError.malformed("unknown record kind \(found)")
        }
        return kind
    }

    /// Reads the header; throws unless it is Sluice's, of this build's version and of `kind`.
    static func expect(_ kind: CheckpointRecordKind, reading reader: inout SnapshotReader) throws {
        let found = try readHeader(from: &reader)
        guard found == kind.rawValue else {
            throw CheckpointFormatError.malformed("expected a \(kind) record, found kind \(found)")
        }
    }

    /// Reads the magic bytes and the version; returns the kind byte.
    private static func readHeader(from reader: inout SnapshotReader) throws -> UInt8 {
        guard (try? [reader.readUInt8(), reader.readUInt8()]) == magic else {
            throw CheckpointFormatError.malformed("not a Sluice checkpoint record")
        }
        let version = try reader.readUInt8()
        guard version == CheckpointManifest.formatVersion else {
            throw CheckpointFormatError.unknownVersion(version)
        }
        return try reader.readUInt8()
    }
}
