import ArgumentParser
import RdKafka
import SluiceKafka

/// `--consumer-assignment-strategy`: `cooperative-sticky`, `range` or `roundrobin`.
enum AssignmentStrategyArgument: String, ExpressibleByArgument, CaseIterable, Sendable {
    case cooperativeSticky = "cooperative-sticky", range, roundrobin

    /// RdKafka's value.
    var strategy: ConsumerConfiguration.AssignmentStrategy {
        switch self {
        case .cooperativeSticky: .cooperativeSticky
        case .range: .range
        case .roundrobin: .roundRobin
        }
    }
}

/// `--consumer-isolation-level`: `read-committed` or `read-uncommitted`.
enum IsolationLevelArgument: String, ExpressibleByArgument, CaseIterable, Sendable {
    case readCommitted = "read-committed", readUncommitted = "read-uncommitted"

    /// RdKafka's value.
    var level: ConsumerConfiguration.IsolationLevel {
        self == .readCommitted ? .readCommitted : .readUncommitted
    }
}

/// `--consumer-membership`: `static` or `dynamic`.
enum MembershipArgument: String, ExpressibleByArgument, CaseIterable, Sendable {
    case `static`, dynamic

    /// SluiceKafka's value.
    var membership: GroupMembership {
        self == .static ? .static : .dynamic
    }
}

/// `--producer-acks`: `all`, `1` or `0` (the job's idempotent producer takes only `all`).
enum AcksArgument: String, ExpressibleByArgument, CaseIterable, Sendable {
    case all, leader = "1", none = "0"

    /// RdKafka's value.
    var acks: ProducerConfiguration.Acks {
        switch self {
        case .all: .all
        case .leader: .leader
        case .none: .none
        }
    }
}

/// `--producer-compression`: `none`, `gzip`, `snappy`, `lz4` or `zstd`.
struct CompressionArgument: ExpressibleByArgument, Sendable, Equatable {
    /// RdKafka's value.
    let compression: ProducerConfiguration.Compression

    init?(argument: String) {
        guard let compression = ProducerConfiguration.Compression(rawValue: argument) else { return nil }
        self.compression = compression
    }

    static var allValueStrings: [String] { ProducerConfiguration.Compression.allCases.map(\.rawValue) }
}
