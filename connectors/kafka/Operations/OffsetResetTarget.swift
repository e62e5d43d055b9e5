import Foundation

/// Where `sluice offsets reset` (or a job's replay) moves a job's input positions.
public enum OffsetResetTarget: Sendable, Equatable, CustomStringConvertible {
    /// The first offset still in each partition (its low watermark).
    case earliest
    /// The end of each partition: only records written after the reset are read.
    case latest
    /// In each partition, the first offset whose record timestamp is at or after this time;
    /// the end of the partition when no record is that late.
    case timestamp(millisecondsSinceEpoch: Int64)
    /// Exactly these offsets, by topic and partition; partitions not named keep their
    /// committed offsets.
    case offsets([String: [Int32: Int64]])

    /// Parses `earliest`, `latest`, an ISO-8601 time (`2026-01-01T12:00:00Z`,
    /// `2026-01-01T12:00:00.250+01:00`) or `topic:partition:offset[,topic:partition:offset…]`.
    ///
    /// - Throws: ``JobOffsetsError/invalidTarget(_:reason:)`` naming what is wrong.
    public init(parsing text: String) throws {
        switch text {
        case "earliest": self = .earliest
        case "latest": self = .latest
        default:
            if let time = Self.parseTime(text) {
                self = .timestamp(millisecondsSinceEpoch: time)
                return
            }
            self = .offsets(try Self.parseOffsets(text))
        }
    }

    /// The text ``init(parsing:)`` reads back: times in UTC with milliseconds, offsets sorted.
    public var description: String {
        switch self {
        case .earliest: return "earliest"
        case .latest: return "latest"
        case .timestamp(let milliseconds):
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
        case .offsets(let offsets):
            return offsets.sorted { $0.key < $1.key }.flatMap { topic, partitions in
                partitions.sorted { $0.key < $1.key }.map { "\(topic):\($0.key):\($0.value)" }
            }.joined(separator: ",")
        }
    }

    private static func parseTime(_ text: String) -> Int64? {
        guard text.contains("T"), text.first?.isNumber == true else { return nil }
        let formatter = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime]] {
            formatter.formatOptions = options
            if let date = formatter.date(from: text) {
                return Int64((date.timeIntervalSince1970 * 1000).rounded())
            }
        }
        return nil
    }

    private static func parseOffsets(_ text: String) throws -> [String: [Int32: Int64]] {
        let expected = "expected earliest, latest, an ISO-8601 time (2026-01-01T12:00:00Z) or topic:partition:offset[,…]"
        guard !text.isEmpty else { throw JobOffsetsError.invalidTarget(text, reason: expected) }
        var offsets: [String: [Int32: Int64]] = [:]
        // A date-time that did not parse (a topic may be named like one, but not usefully).
        if text.wholeMatch(of: /[0-9]{4}-[0-9]{2}-[0-9]{2}T.*/) != nil {
            throw JobOffsetsError.invalidTarget(
                text, reason: "not an ISO-8601 time with a zone, e.g. 2026-01-01T12:00:00Z or 2026-01-01T12:00:00.250+01:00")
        }
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            // Topic names cannot hold ':' (Kafka allows letters, digits, '.', '_' and '-').
            let parts = item.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 3, !parts[0].isEmpty else {
                throw JobOffsetsError.invalidTarget(text, reason: "'\(item)': \(expected)")
            }
            guard let partition = Int32(parts[1]), partition >= 0 else {
                throw JobOffsetsError.invalidTarget(text, reason: "'\(item)': partition '\(parts[1])' is not a partition number")
            }
            guard let offset = Int64(parts[2]), offset >= 0 else {
                throw JobOffsetsError.invalidTarget(text, reason: "'\(item)': offset '\(parts[2])' is not an offset")
            }
            let topic = String(parts[0])
            guard offsets[topic]?[partition] == nil else {
                throw JobOffsetsError.invalidTarget(text, reason: "\(topic) partition \(partition) is named twice")
            }
            offsets[topic, default: [:]][partition] = offset
        }
        return offsets
    }
}
