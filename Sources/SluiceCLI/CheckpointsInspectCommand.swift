import ArgumentParser
import Foundation
import SluiceKafka

/// `sluice checkpoints inspect <job> --task STAGE.PARTITION`: everything one task's manifest
/// holds.
struct CheckpointsInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Everything of one task's committed checkpoint manifest.",
        discussion: """
            Reads the manifest of the checkpoint a restore of the task starts from (just before \
            the group's committed pointer, or a newer one that a confirmation proves committed), \
            or with --offset the manifest at that offset of the task's checkpoint partition (an \
            older checkpoint, while compaction has not removed it).

            --json writes one object with the fields of `sluice checkpoints list --json` and: \
            incarnation and chain (16 hex digits), chain_start_sequence, full_snapshot_bytes (the \
            chain's full snapshot), piece_offsets (the \
            checkpoint-partition offsets of every snapshot record a restore reads, in order), \
            scalars (an array of {participant, bytes}: each operator's small state and its size).

            Exit status 2, with one line on standard error, when the brokers cannot be reached, \
            the job or task is unknown, or the offset holds no readable manifest of the task.
            """)

    @Argument(help: "The job's name (also its consumer group's).")
    var job: String

    @Option(help: ArgumentHelp("The task, as `list` shows it, e.g. 1.0.", valueName: "stage.partition"))
    var task: TaskArgument

    @Option(help: "Read the manifest at this offset of the task's checkpoint partition instead of the committed one.")
    var offset: Int64?

    @OptionGroup var connection: KafkaConnectionOptions

    @Flag(help: "Write JSON instead of text.")
    var json = false

    func run() throws {
        let summary = try OperatorError.reporting {
            try connection.catalog().inspect(job: job, task: task.task, manifestOffset: offset)
        }
        let now = Date()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let millis = Int64((now.timeIntervalSince1970 * 1000).rounded())
            print(String(decoding: try encoder.encode(
                CheckpointJSON(job: job, summary: summary, detailed: true, now: millis)), as: UTF8.self))
            return
        }
        print(describe(summary, now: now))
    }

    private func describe(_ summary: TaskCheckpointSummary, now: Date) -> String {
        let name = CheckpointFormatting.task(summary.task)
        let pointer = summary.pointer.map { "pointer \($0) (committed by group \(job))" }
            ?? "no pointer committed by group \(job)"
        var lines: [(String, String)] = [("job", job), ("task", name), ("checkpoints", "\(summary.checkpointSplit), \(pointer)")]
        guard let manifest = summary.manifest, let manifestOffset = summary.manifestOffset else {
            lines.append(("sequence", "none: task \(name) has no committed checkpoint"))
            return Self.render(lines)
        }
        // A manifest the group's pointer does not name, asked for or proven by a confirmation:
        // its input position may differ from the group's offset without anything being wrong.
        let committed = summary.isNamedByGroup
        let note = committed ? "" : offset != nil
            ? ", asked for: not the one the group's pointer names"
            : ", newer than the group's pointer names: a confirmation proves it committed"
        let chain = "chain \(CheckpointFormatting.id(manifest.chain)) started at sequence \(manifest.chainStartSequence)"
        lines += [
            ("manifest", "offset \(manifestOffset)\(note)"),
            ("sequence", "\(manifest.sequence), \(CheckpointFormatting.kind(manifest)); \(chain)"),
            ("incarnation", CheckpointFormatting.id(manifest.incarnation)),
            ("written", "\(CheckpointFormatting.timestamp(manifest.createdAt)) by \(manifest.writer), \(summary.age(at: now).map(CheckpointFormatting.age) ?? "-") ago"),
        ]
        if let input = manifest.input {
            let group = "group committed \(summary.committedInputOffset.map(String.init) ?? "none")"
            switch (manifest.inputPosition, summary.inputAgrees) {
            case (let position?, true?):
                lines.append(("input", "\(input) resumes at \(position); \(group) (agrees)"))
            case (let position?, _) where committed:
                lines.append(("input", "\(input) resumes at \(position); \(group) (MISMATCH: a restore refuses it)"))
            case (let position?, _):
                lines.append(("input", "\(input) resumes at \(position); \(group)"))
            case (nil, _):
                lines.append(("input", "\(input), no position yet; \(group)"))
            }
        } else {
            lines.append(("input", "none"))
        }
        lines += [
            ("state", "\(CheckpointFormatting.bytes(manifest.chainBytes)) in \(CheckpointFormatting.count(manifest.pieceOffsets.count, "piece")) (the chain's full snapshot: \(CheckpointFormatting.bytes(manifest.fullSnapshotBytes)))"),
            ("pieces", manifest.pieceOffsets.isEmpty ? "none" : "at offsets " + manifest.pieceOffsets.map(String.init).joined(separator: ", ")),
            ("checkpoint", "\(CheckpointFormatting.bytes(manifest.checkpointBytes)), \(manifest.checkpointEntries) entries written"),
            ("scalars", manifest.scalars.isEmpty ? "none" : CheckpointFormatting.count(manifest.scalars.count, "participant")),
        ]
        var text = Self.render(lines)
        let width = manifest.scalars.map(\.participant.count).max() ?? 0
        for scalar in manifest.scalars {
            text += "\n  " + scalar.participant.padding(toLength: width + 2, withPad: " ", startingAt: 0)
                + CheckpointFormatting.bytes(UInt64(scalar.bytes.count))
        }
        return text
    }

    private static func render(_ lines: [(String, String)]) -> String {
        let width = lines.map(\.0.count).max() ?? 0
        return lines.map { $0.0.padding(toLength: width + 2, withPad: " ", startingAt: 0) + $0.1 }.joined(separator: "\n")
    }
}
