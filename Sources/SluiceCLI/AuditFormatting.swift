import Foundation
import KafkaLog

/// The text `sluice audit` prints: the partition table, totals and duplicates.
enum AuditFormatting {
    static func report(_ audit: TopicAudit, duplicates: DuplicateReport, bootstrap: String) -> String {
        let records = audit.records
        var lines = [
            "topic \(audit.topic) at \(bootstrap): \(CheckpointFormatting.count(audit.partitions.count, "partition")), "
                + "a read_committed reader sees \(CheckpointFormatting.count(records.visible, "record")) now"
        ]
        var table = TextTable(header: [
            "PARTITION", "LOG END", "LSO", "TXN C/A/O", "COMMITTED", "ABORTED", "OPEN", "PLAIN", "HIDDEN", "VISIBLE",
        ])
        for partition in audit.partitions {
            table.append(row(String(partition.partition), String(partition.logEndOffset), String(partition.lastStableOffset),
                             partition.transactions, partition.records))
        }
        table.append(row("total", "", "", audit.transactions, records))
        lines.append(table.rendered)
        lines.append(contentsOf: self.duplicates(duplicates))
        return lines.joined(separator: "\n")
    }

    private static func row(_ partition: String, _ end: String, _ stable: String, _ transactions: TransactionCounts,
                            _ records: RecordCounts) -> [String] {
        [
            partition, end, stable, "\(transactions.committed)/\(transactions.aborted)/\(transactions.open)",
            String(records.committed), String(records.aborted), String(records.open), String(records.plain),
            String(records.hiddenBehindLastStableOffset), String(records.visible),
        ]
    }

    static func criterionName(_ criterion: DuplicateCriterion) -> String {
        switch criterion {
        case .keyAndValue: "key and value"
        case .key: "key"
        case .field(let name): "field \(name)"
        }
    }

    private static func duplicates(_ report: DuplicateReport) -> [String] {
        var lines: [String] = []
        if report.groups.isEmpty {
            lines.append("no duplicates by \(criterionName(report.criterion))")
        } else {
            lines.append(
                "\(CheckpointFormatting.count(report.groups.count, "duplicate group")) by \(criterionName(report.criterion)), "
                    + "\(report.extraCopies) extra \(report.extraCopies == 1 ? "copy" : "copies"):")
            for group in report.groups {
                let what: String
                switch report.criterion {
                case .keyAndValue: what = "key \(shown(group.key)) value \(shown(group.value))"
                case .key: what = "key \(shown(group.key))"
                case .field(let name): what = "\(name) = \(clipped(group.fieldValue ?? "null"))"
                }
                lines.append("  \(what): \(group.copies.map(\.description).joined(separator: ", "))")
            }
        }
        if let first = report.firstIncomparable {
            let what: String
            switch report.criterion {
            case .keyAndValue: what = "records not compared"
            case .key: what = "without a key, not compared"
            case .field(let name): what = "whose value is not a JSON object with field \(name), not compared"
            }
            lines.append("\(CheckpointFormatting.count(report.incomparable, "record")) \(what) (the first at \(first))")
        }
        return lines
    }

    /// Bytes as a quoted string when they are UTF-8, else as hex; `null` for none; long ones
    /// clipped.
    static func shown(_ bytes: [UInt8]?) -> String {
        guard let bytes else { return "null" }
        if let text = String(bytes: bytes, encoding: .utf8),
           let data = try? JSONSerialization.data(withJSONObject: text, options: [.fragmentsAllowed, .withoutEscapingSlashes]) {
            return clipped(String(decoding: data, as: UTF8.self))
        }
        return clipped("0x" + bytes.map { String(format: "%02x", $0) }.joined())
    }

    private static func clipped(_ text: String) -> String {
        text.count > 80 ? String(text.prefix(77)) + "…" : text
    }

    /// Each batch's classification on standard error (`--verbose`).
    static func describe(_ audit: TopicAudit) {
        for partition in audit.partitions {
            var lines = ["p\(partition.partition): last stable offset \(partition.lastStableOffset), log end offset "
                + "\(partition.logEndOffset), high watermark \(partition.highWatermark)"]
            for (batch, state) in partition.dataBatches {
                let behind = (state == .plain || state == .committed) && batch.baseOffset >= partition.lastStableOffset
                lines.append("p\(partition.partition) offsets \(batch.baseOffset)-\(batch.lastOffset) pid \(batch.producerID) "
                    + "epoch \(batch.producerEpoch) records \(batch.records.count) \(batch.compression.map { "\($0)" } ?? "?"): "
                    + state.rawValue + (behind ? ", behind the LSO" : ""))
            }
            FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        }
    }
}
