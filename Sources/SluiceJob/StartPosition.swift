import ArgumentParser

/// `--from`: where a run starts. Anything but ``committed`` is a replay (``ReplayReset``).
enum StartPosition: ExpressibleByArgument, Equatable, Sendable, CustomStringConvertible {
    /// The group's committed offsets and the job's checkpoints: an ordinary (re)start.
    case committed
    /// The earliest retained record of every input partition.
    case earliest
    /// The end of every input partition: only records written from now on.
    case latest
    /// The first record of every input partition at or after this time.
    case time(millisecondsSinceEpoch: Int64, text: String)
    /// These offsets; input partitions not named keep their committed offsets.
    case offsets([PartitionOffset])

    /// One `topic:partition:offset` of ``offsets(_:)``.
    struct PartitionOffset: Equatable, Sendable {
        var topic: String
        var partition: Int32
        var offset: Int64
    }

    init?(argument: String) {
        switch argument {
        case "committed": self = .committed
        case "earliest": self = .earliest
        case "latest": self = .latest
        default:
            if let milliseconds = ISO8601Time.milliseconds(argument) {
                self = .time(millisecondsSinceEpoch: milliseconds, text: argument)
                return
            }
            var offsets: [PartitionOffset] = []
            for item in argument.split(separator: ",", omittingEmptySubsequences: false) {
                let parts = item.split(separator: ":", omittingEmptySubsequences: false)
                guard parts.count == 3, !parts[0].isEmpty, let partition = Int32(parts[1]), partition >= 0,
                      let offset = Int64(parts[2]), offset >= 0 else { return nil }
                offsets.append(PartitionOffset(topic: String(parts[0]), partition: partition, offset: offset))
            }
            self = .offsets(offsets)
        }
    }

    var defaultValueDescription: String { "committed" }

    /// As the start line shows it.
    var description: String {
        switch self {
        case .committed: "committed"
        case .earliest: "earliest"
        case .latest: "latest"
        case .time(_, let text): text
        case .offsets(let offsets): offsets.map { "\($0.topic):\($0.partition):\($0.offset)" }.joined(separator: ",")
        }
    }
}
