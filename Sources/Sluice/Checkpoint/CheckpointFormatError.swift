/// A checkpoint record this build cannot read.
public enum CheckpointFormatError: Error, Equatable, CustomStringConvertible {
    /// Written by a newer Sluice, in a format this one does not know.
    case unknownVersion(UInt8)
    /// Not a checkpoint record of the expected kind, or damaged.
    case malformed(String)

    /// What is wrong, and for a newer version what to do.
    public var description: String {
        switch self {
        case .unknownVersion(let version):
            "checkpoint format version \(version) is newer than this build of Sluice reads (\(CheckpointManifest.formatVersion)); run a newer Sluice, or reset the job's state explicitly"
        case .malformed(let reason): "malformed checkpoint record: \(reason)"
        }
    }
}
