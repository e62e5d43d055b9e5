import ArgumentParser
import Foundation
import SluiceKafka

/// `sluice checkpoints list <job>`: one row per task of every stage of the job.
struct CheckpointsListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "One row per task: its committed checkpoint, input position and state size.",
        discussion: """
            Columns: TASK (stage.partition); SEQ, the checkpoint's sequence ("none": the group \
            committed no checkpoint of the task; "reset": `sluice offsets reset` reset its state \
            and it committed none since); KIND, full or incremental snapshot; INPUT and \
            POSITION, the split the task reads and the offset it resumes at; COMMITTED, the job \
            group's committed offset of that input and whether it agrees (a restore refuses a \
            MISMATCH; "unchecked" when a confirmation proves a newer checkpoint than the group's \
            pointer names, the broker showing transactional offsets late); STATE, bytes of the snapshot chain a restore reads; LAST and ENTRIES, \
            bytes and keyed entries the checkpoint itself wrote; PIECES, snapshot records in the \
            chain; WRITER, the worker that wrote it; AGE, since it was taken.

            --json writes one array with an object per task, every field always present (null \
            where it does not apply): job, task ("stage.partition"), stage, partition, \
            checkpoint_topic, checkpoint_partition, pointer (the group's committed offset of the \
            checkpoint partition), manifest_offset (of the manifest a restore reads: pointer - 1, \
            or later when a confirmation proves a newer checkpoint), sequence, kind ("full" | "incremental" | "reset"), \
            input_topic, input_partition, input_position, committed_input_offset, input_agrees, \
            state_bytes, checkpoint_bytes, checkpoint_entries, pieces (count), writer, \
            created_at (ms since the epoch), age_ms.

            Each task's checkpoint is the one a restore starts from, found the same way.

            Exit status 2, with one line on standard error, when the brokers cannot be reached, \
            the job has no checkpoint topics, or a pointer or confirmation leads to no readable \
            manifest.
            """)

    @Argument(help: "The job's name (also its consumer group's).")
    var job: String

    @OptionGroup var connection: KafkaConnectionOptions

    @Flag(help: "Write JSON instead of a table.")
    var json = false

    func run() throws {
        let summaries = try OperatorError.reporting { try connection.catalog().list(job: job) }
        let now = Date()
        if json {
            let millis = Int64((now.timeIntervalSince1970 * 1000).rounded())
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let rows = summaries.map { CheckpointJSON(job: job, summary: $0, detailed: false, now: millis) }
            print(String(decoding: try encoder.encode(rows), as: UTF8.self))
            return
        }
        let stages = Set(summaries.map(\.task.stage)).count
        let committed = summaries.filter { $0.manifest != nil }.count
        print("""
            job \(job) at \(connection.bootstrap): \(CheckpointFormatting.count(summaries.count, "task")) in \
            \(CheckpointFormatting.count(stages, "stage")), \(committed) with a committed checkpoint
            """)
        var table = TextTable(header: [
            "TASK", "SEQ", "KIND", "INPUT", "POSITION", "COMMITTED", "STATE", "LAST", "ENTRIES", "PIECES", "WRITER", "AGE",
        ])
        for summary in summaries {
            let task = CheckpointFormatting.task(summary.task)
            guard let manifest = summary.manifest else {
                table.append([task, summary.reset != nil ? "reset" : "none"] + Array(repeating: "-", count: 10))
                continue
            }
            table.append([
                task, String(manifest.sequence), CheckpointFormatting.kind(manifest),
                manifest.input.map(\.description) ?? "-", manifest.inputPosition.map(String.init) ?? "-",
                CheckpointFormatting.committedInput(summary), CheckpointFormatting.bytes(manifest.chainBytes),
                CheckpointFormatting.bytes(manifest.checkpointBytes), String(manifest.checkpointEntries),
                String(manifest.pieceOffsets.count), manifest.writer,
                summary.age(at: now).map(CheckpointFormatting.age) ?? "-",
            ])
        }
        print(table.rendered)
        let proven = summaries.filter { $0.manifest != nil && !$0.isNamedByGroup }.map { CheckpointFormatting.task($0.task) }
        if !proven.isEmpty {
            print("""
                \(CheckpointFormatting.count(proven.count, "task")) (\(proven.joined(separator: ", "))) \
                restore\(proven.count == 1 ? "s" : "") a newer checkpoint than the group's committed pointer names: \
                a confirmation in the checkpoint partition proves it committed (the broker shows transactional offsets late, or keeps none)
                """)
        }
        let mismatched = summaries.filter { $0.inputAgrees == false }.map { CheckpointFormatting.task($0.task) }
        if !mismatched.isEmpty {
            print("""
                \(CheckpointFormatting.count(mismatched.count, "task")) (\(mismatched.joined(separator: ", "))) \
                resume\(mismatched.count == 1 ? "s" : "") at an input offset other than the group's committed one: \
                the offsets were moved by hand, and a restore refuses that unless the job resets the state
                """)
        }
    }
}
