/// How a restore came to a record of a task's checkpoint partition: what led it there, so that
/// an error about the record names it.
public enum CheckpointRecordRole: Sendable, Equatable, CustomStringConvertible {
    /// The manifest (or reset record) that the committed pointer names.
    case pointer(Int64)
    /// The manifest of checkpoint `sequence`, which a confirmation proves committed.
    case confirmation(sequence: UInt64)
    /// A snapshot piece that the manifest of checkpoint `sequence` names.
    case piece(sequence: UInt64)
    /// The record at an offset asked for explicitly.
    case requested

    /// The record's role in words, to follow "offset N of topic[partition], ".
    public var description: String {
        switch self {
        case .pointer(let pointer): "the manifest its committed pointer \(pointer) names"
        case .confirmation(let sequence): "the manifest of checkpoint \(sequence), which a confirmation proves committed"
        case .piece(let sequence): "a snapshot piece of checkpoint \(sequence)"
        case .requested: "the record asked for"
        }
    }
}
