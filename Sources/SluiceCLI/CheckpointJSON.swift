import Sluice
import SluiceKafka

/// One task's checkpoint as `sluice checkpoints list --json` (an array of these) and
/// `inspect --json` (one, with the detail fields) write it.
///
/// The field names are part of the command's interface: they are spelled out here rather than
/// derived from Swift property names, and every field is always present, `null` when it does
/// not apply (a task without a committed checkpoint has `null` in all checkpoint fields).
struct CheckpointJSON: Encodable {
    let job: String
    let summary: TaskCheckpointSummary
    /// Adds the fields only `inspect` shows: incarnation, chain, its full snapshot's size, piece
    /// offsets, scalars.
    let detailed: Bool
    /// Milliseconds since the Unix epoch, for `age_ms`.
    let now: Int64

    /// The documented field names (see `sluice checkpoints list --help`).
    enum Field: String, CodingKey {
        case job, task, stage, partition
        case checkpointTopic = "checkpoint_topic", checkpointPartition = "checkpoint_partition"
        case pointer
        case manifestOffset = "manifest_offset"
        case sequence, kind
        case inputTopic = "input_topic", inputPartition = "input_partition", inputPosition = "input_position"
        case committedInputOffset = "committed_input_offset", inputAgrees = "input_agrees"
        case stateBytes = "state_bytes", checkpointBytes = "checkpoint_bytes", checkpointEntries = "checkpoint_entries"
        case pieces, writer
        case createdAt = "created_at", ageMillis = "age_ms"
        // inspect only
        case incarnation, chain
        case chainStartSequence = "chain_start_sequence", fullSnapshotBytes = "full_snapshot_bytes"
        case pieceOffsets = "piece_offsets", scalars
    }

    /// One participant's scalar state in `scalars`.
    struct Scalar: Encodable {
        let participant: String
        let bytes: Int
    }

    func encode(to encoder: any Encoder) throws {
        var out = encoder.container(keyedBy: Field.self)
        let manifest = summary.manifest
        // encode(_:forKey:) of an Optional writes null, where encodeIfPresent would drop the key.
        try out.encode(job, forKey: .job)
        try out.encode(CheckpointFormatting.task(summary.task), forKey: .task)
        try out.encode(summary.task.stage, forKey: .stage)
        try out.encode(summary.task.partition, forKey: .partition)
        try out.encode(summary.checkpointSplit.topic, forKey: .checkpointTopic)
        try out.encode(summary.checkpointSplit.partition, forKey: .checkpointPartition)
        try out.encode(summary.pointer, forKey: .pointer)
        try out.encode(summary.manifestOffset, forKey: .manifestOffset)
        try out.encode(manifest?.sequence, forKey: .sequence)
        try out.encode(manifest.map(CheckpointFormatting.kind) ?? (summary.reset != nil ? "reset" : nil), forKey: .kind)
        try out.encode(manifest?.input?.topic, forKey: .inputTopic)
        try out.encode(manifest?.input?.partition, forKey: .inputPartition)
        try out.encode(manifest?.inputPosition, forKey: .inputPosition)
        try out.encode(summary.committedInputOffset, forKey: .committedInputOffset)
        try out.encode(summary.inputAgrees, forKey: .inputAgrees)
        try out.encode(manifest?.chainBytes, forKey: .stateBytes)
        try out.encode(manifest?.checkpointBytes, forKey: .checkpointBytes)
        try out.encode(manifest?.checkpointEntries, forKey: .checkpointEntries)
        try out.encode(manifest?.pieceOffsets.count, forKey: .pieces)
        try out.encode(manifest?.writer, forKey: .writer)
        try out.encode(manifest?.createdAt, forKey: .createdAt)
        // null rather than a trap when a damaged manifest's time is too far off to subtract.
        let age = manifest.flatMap { manifest -> Int64? in
            let (age, overflow) = now.subtractingReportingOverflow(manifest.createdAt)
            return overflow ? nil : age
        }
        try out.encode(age, forKey: .ageMillis)
        guard detailed else { return }
        try out.encode(manifest.map { CheckpointFormatting.id($0.incarnation) }, forKey: .incarnation)
        try out.encode(manifest.map { CheckpointFormatting.id($0.chain) }, forKey: .chain)
        try out.encode(manifest?.chainStartSequence, forKey: .chainStartSequence)
        try out.encode(manifest?.fullSnapshotBytes, forKey: .fullSnapshotBytes)
        try out.encode(manifest?.pieceOffsets, forKey: .pieceOffsets)
        try out.encode(manifest?.scalars.map { Scalar(participant: $0.participant, bytes: $0.bytes.count) }, forKey: .scalars)
    }
}
