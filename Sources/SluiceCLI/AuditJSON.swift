import Foundation
import KafkaLog

/// What `sluice audit --json` writes. The field names are part of the command's interface,
/// spelled out here; every field is always present, `null` where it does not apply.
enum AuditJSON {
    static func object(_ audit: TopicAudit, duplicates: DuplicateReport, bootstrap: String) -> [String: Any] {
        [
            "topic": audit.topic, "bootstrap": bootstrap,
            "partitions": audit.partitions.map { partition -> [String: Any] in
                [
                    "partition": partition.partition, "log_end_offset": partition.logEndOffset,
                    "last_stable_offset": partition.lastStableOffset, "high_watermark": partition.highWatermark,
                    "transactions": transactions(partition.transactions), "records": records(partition.records),
                ]
            },
            "transactions": transactions(audit.transactions), "records": records(audit.records),
            "duplicates": self.duplicates(duplicates),
        ]
    }

    static func text(_ object: [String: Any]) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    private static func transactions(_ counts: TransactionCounts) -> [String: Any] {
        ["committed": counts.committed, "aborted": counts.aborted, "open": counts.open]
    }

    private static func records(_ counts: RecordCounts) -> [String: Any] {
        [
            "committed": counts.committed, "aborted": counts.aborted, "open": counts.open, "plain": counts.plain,
            "hidden_behind_lso": counts.hiddenBehindLastStableOffset, "visible": counts.visible,
        ]
    }

    private static func duplicates(_ report: DuplicateReport) -> [String: Any] {
        let by: String, field: Any
        switch report.criterion {
        case .keyAndValue: (by, field) = ("key_and_value", NSNull())
        case .key: (by, field) = ("key", NSNull())
        case .field(let name): (by, field) = ("field", name)
        }
        let comparesKey = !isField(report.criterion)
        let comparesValue = report.criterion == .keyAndValue
        return [
            "by": by, "field": field, "group_count": report.groups.count, "extra_copies": report.extraCopies,
            "incomparable": report.incomparable,
            "first_incomparable": report.firstIncomparable.map(position) ?? NSNull(),
            "groups": report.groups.map { group -> [String: Any] in
                [
                    "key": comparesKey ? text(group.key) : NSNull(), "key_b64": comparesKey ? base64(group.key) : NSNull(),
                    "value": comparesValue ? text(group.value) : NSNull(),
                    "value_b64": comparesValue ? base64(group.value) : NSNull(),
                    "field_value": group.fieldValue ?? NSNull(),
                    "copies": group.copies.map(position),
                ]
            },
        ]
    }

    private static func isField(_ criterion: DuplicateCriterion) -> Bool {
        if case .field = criterion { return true }
        return false
    }

    private static func position(_ position: RecordPosition) -> [String: Any] {
        ["partition": position.partition, "offset": position.offset]
    }

    private static func text(_ bytes: [UInt8]?) -> Any {
        bytes.flatMap { String(bytes: $0, encoding: .utf8) } ?? NSNull()
    }

    private static func base64(_ bytes: [UInt8]?) -> Any {
        bytes.map { Data($0).base64EncodedString() } ?? NSNull()
    }
}
