import ArgumentParser
import Foundation
import Sluice
import SluiceKafka

/// `sluice offsets reset <job> --to …`: moves the job's input offsets and resets its state.
struct OffsetsResetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset",
        abstract: "Move a stopped job's input offsets; every task then starts from empty state there.",
        discussion: """
            Like kafka-consumer-groups --reset-offsets, for a Sluice job: refused while the \
            job's group has active members (each is named). The input topics are --topic, else \
            those the group committed offsets of. --to takes earliest, latest, an ISO-8601 time \
            (the first offset whose record timestamp is at or after it; the broker's answer is \
            checked by reading, and the partition read from its start when the answer is wrong: \
            HOW says lookup or scan) or topic:partition:offset[,…] (partitions not named keep \
            their offsets).

            So that new offsets never meet old state, the job's repartition topics are moved to \
            their end and a reset record is appended to every task's checkpoint partition, the \
            task's checkpoint pointer committed just past it: each task starts from empty state.

            Prints per partition OLD -> NEW and how NEW was found, then the checkpoint \
            partitions reset. --dry-run prints the same and changes nothing. --json writes one \
            object: job, bootstrap, target, dry_run, partitions (topic, partition, internal, old, \
            new, resolution), checkpoints (task, topic, partition, old_pointer, new_pointer: null \
            in a dry run); every field always present.

            Exit status 2, with one line on standard error, for active members, an unreadable \
            --to, an unknown job, topic or partition, an offset out of range, or unreachable brokers.
            """)

    @Argument(help: "The job's name (also its consumer group's).")
    var job: String

    @OptionGroup var connection: KafkaConnectionOptions

    @Option(help: ArgumentHelp("earliest | latest | <ISO-8601 time> | <topic:partition:offset,…>", valueName: "target"))
    var to: String

    @Option(name: .customLong("topic"), help: "An input topic of the job; repeatable. Default: those its group committed offsets of.")
    var topics: [String] = []

    @Flag(help: "Show what would change; change nothing.")
    var dryRun = false

    @Flag(help: "Write JSON instead of a table.")
    var json = false

    func run() throws {
        let (plan, pointers) = try OperatorError.reporting { () throws -> (OffsetResetPlan, [TaskID: Int64]?) in
            let offsets = try connection.jobOffsets()
            let target = try OffsetResetTarget(parsing: to)
            let plan = try offsets.planReset(job: job, topics: topics.isEmpty ? nil : topics, to: target)
            return (plan, dryRun ? nil : try offsets.apply(plan))
        }
        if json {
            print(try OffsetsJSON.text(OffsetsJSON.reset(plan, bootstrap: connection.bootstrap, dryRun: dryRun, pointers: pointers)))
            return
        }
        print("job \(job) at \(connection.bootstrap): offsets \(dryRun ? "would be reset" : "reset") to \(plan.target)\(dryRun ? " (dry run: nothing changed)" : "")")
        var table = TextTable(header: ["TOPIC", "PARTITION", "KIND", "OLD", "NEW", "HOW"])
        for row in plan.partitions {
            table.append([
                row.split.topic, String(row.split.partition), row.isInternal ? "internal" : "input",
                row.old.map(String.init) ?? "-", String(row.new), row.resolution.rawValue,
            ])
        }
        print(table.rendered)
        print("\(CheckpointFormatting.count(plan.checkpoints.count, "checkpoint partition")) \(dryRun ? "would get" : "got") a reset record: every task starts from empty state")
        guard !plan.checkpoints.isEmpty else { return }
        var checkpoints = TextTable(header: ["TASK", "TOPIC", "PARTITION", "OLD POINTER", "NEW POINTER"])
        for row in plan.checkpoints {
            checkpoints.append([
                CheckpointFormatting.task(row.task), row.split.topic, String(row.split.partition),
                row.oldPointer.map(String.init) ?? "-", pointers?[row.task].map(String.init) ?? "-",
            ])
        }
        print(checkpoints.rendered)
    }
}
