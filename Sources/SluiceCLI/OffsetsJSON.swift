import Foundation
import RdKafka
import Sluice
import SluiceKafka

/// What `sluice offsets show|reset --json` write. The field names are part of the commands'
/// interface, spelled out here; every field is always present, `null` where it does not apply.
enum OffsetsJSON {
    static func show(_ report: JobOffsetsReport, bootstrap: String) -> [String: Any] {
        [
            "job": report.job, "bootstrap": bootstrap, "group_state": report.groupState,
            "group_active": report.isGroupActive,
            "members": report.members.map(member),
            "partitions": report.partitions.map { row -> [String: Any] in
                let task: Any, sequence: Any, state: String
                switch row.checkpoint {
                case .none: (task, sequence, state) = (NSNull(), NSNull(), "none")
                case .checkpoint(let id, let seq): (task, sequence, state) = ("\(id.stage).\(id.partition)", seq, "committed")
                case .reset(let id): (task, sequence, state) = ("\(id.stage).\(id.partition)", NSNull(), "reset")
                }
                return [
                    "topic": row.split.topic, "partition": row.split.partition, "internal": row.isInternal,
                    "committed": row.committed ?? NSNull(), "low": row.low, "end": row.end, "lag": row.lag,
                    "task": task, "checkpoint": state, "checkpoint_sequence": sequence,
                ]
            },
        ]
    }

    static func reset(_ plan: OffsetResetPlan, bootstrap: String, dryRun: Bool, pointers: [TaskID: Int64]?) -> [String: Any] {
        [
            "job": plan.job, "bootstrap": bootstrap, "target": plan.target.description, "dry_run": dryRun,
            "partitions": plan.partitions.map { row -> [String: Any] in
                [
                    "topic": row.split.topic, "partition": row.split.partition, "internal": row.isInternal,
                    "old": row.old ?? NSNull(), "new": row.new, "resolution": row.resolution.rawValue,
                ]
            },
            "checkpoints": plan.checkpoints.map { row -> [String: Any] in
                [
                    "task": "\(row.task.stage).\(row.task.partition)", "topic": row.split.topic,
                    "partition": row.split.partition, "old_pointer": row.oldPointer ?? NSNull(),
                    "new_pointer": pointers?[row.task] ?? NSNull(),
                ]
            },
        ]
    }

    static func member(_ member: ConsumerGroupMember) -> [String: Any] {
        ["member_id": member.memberID, "client_id": member.clientID, "host": member.host]
    }

    /// `object` as pretty, key-sorted JSON.
    static func text(_ object: [String: Any]) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }
}
