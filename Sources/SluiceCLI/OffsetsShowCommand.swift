import ArgumentParser
import Foundation
import SluiceKafka

/// `sluice offsets show <job>`: per partition the job reads, committed offset, end and lag.
struct OffsetsShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Per partition the job reads: committed offset, end, lag and its task's checkpoint.",
        discussion: """
            A header line names the group's state and its active members (the job's running \
            workers). Then one row per partition of the job's input topics (--topic, else every \
            topic its group committed offsets of) and of its repartition topics (KIND internal). \
            Columns: TOPIC, PARTITION, KIND, COMMITTED (the group's committed offset, "-" for \
            none), END (the offset the next record gets, read from the partition), LAG (END - \
            COMMITTED; from the first offset in the partition when nothing is committed), TASK \
            (the task reading it), CHECKPOINT (the sequence of the task's committed checkpoint, \
            "reset" after `sluice offsets reset`, "none").

            --json writes one object: job, bootstrap, group_state, group_active (members, named \
            or not), members (member_id, client_id, host; empty strings where the broker tells \
            none), partitions (topic, partition, internal, committed, low, end, lag, \
            task, checkpoint ("committed" | "reset" | "none"), checkpoint_sequence); every field \
            always present, null where it does not apply.

            Exit status 2, with one line on standard error, when the brokers cannot be reached \
            or the job is unknown.
            """)

    @Argument(help: "The job's name (also its consumer group's).")
    var job: String

    @OptionGroup var connection: KafkaConnectionOptions

    @Option(name: .customLong("topic"), help: "An input topic of the job; repeatable. Default: those its group committed offsets of.")
    var topics: [String] = []

    @Flag(help: "Write JSON instead of a table.")
    var json = false

    func run() throws {
        let report = try OperatorError.reporting {
            try connection.jobOffsets().show(job: job, topics: topics.isEmpty ? nil : topics)
        }
        if json {
            print(try OffsetsJSON.text(OffsetsJSON.show(report, bootstrap: connection.bootstrap)))
            return
        }
        let members: String
        if !report.members.isEmpty {
            members = "\(CheckpointFormatting.count(report.members.count, "active member")): "
                + report.members.map(\.description).joined(separator: ", ")
        } else {
            members = report.isGroupActive ? "active members the broker does not name" : "no active members"
        }
        print("job \(job) at \(connection.bootstrap): group \(report.groupState), \(members)")
        var table = TextTable(header: ["TOPIC", "PARTITION", "KIND", "COMMITTED", "END", "LAG", "TASK", "CHECKPOINT"])
        for row in report.partitions {
            let task: String, checkpoint: String
            switch row.checkpoint {
            case .none: (task, checkpoint) = ("-", "none")
            case .checkpoint(let id, let sequence): (task, checkpoint) = (CheckpointFormatting.task(id), String(sequence))
            case .reset(let id): (task, checkpoint) = (CheckpointFormatting.task(id), "reset")
            }
            table.append([
                row.split.topic, String(row.split.partition), row.isInternal ? "internal" : "input",
                row.committed.map(String.init) ?? "-", String(row.end), String(row.lag), task, checkpoint,
            ])
        }
        print(table.rendered)
    }
}
