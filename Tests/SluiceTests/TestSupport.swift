@testable import Sluice

/// A source that delivers pre-scripted polls of byte records, then either ends (bounded) or
/// stops the job, so tests control exactly what each round sees.
final class ScriptedSource: Source {
    typealias Element = SourceRecord

    let name: String
    let isBounded: Bool
    let isInProcess: Bool
    private let partitionCount: Int
    private var polls: [[SourceRecord]]
    private var assigned: Set<Split> = []
    private var ended = false
    /// Stopped once the script is exhausted, for unbounded scripts.
    var stopWhenExhausted: StopSignal?

    init(name: String = "events", partitions: Int = 1, bounded: Bool = true, inProcess: Bool = true,
         polls: [[SourceRecord]]) {
        self.name = name
        self.partitionCount = partitions
        self.isBounded = bounded
        self.isInProcess = inProcess
        self.polls = polls
    }

    /// Records with consecutive offsets per partition, each poll in its own round.
    static func records(topic: String = "events", _ rounds: [[(partition: Int32, timestamp: Int64, value: String)]]) -> [[SourceRecord]] {
        var offsets: [Int32: Int64] = [:]
        return rounds.map { round in
            round.map { entry in
                let offset = offsets[entry.partition, default: 0]
                offsets[entry.partition] = offset + 1
                return SourceRecord(
                    topic: topic, partition: entry.partition, offset: offset, timestamp: entry.timestamp,
                    key: Array("k-\(entry.value)".utf8), value: Array(entry.value.utf8),
                    headers: [RecordHeader(key: "origin", string: "test")])
            }
        }
    }

    func splits() -> [Split] {
        (0..<partitionCount).map { Split(topic: name, partition: Int32($0)) }
    }

    func assign(_ splits: [SplitStart]) { assigned.formUnion(splits.map(\.split)) }

    func seek(_ split: Split, to offset: Int64) {}

    func revoke(_ splits: [Split]) { assigned.subtract(splits) }

    func poll(maxRecords: Int, timeout: Duration, into batch: inout SourceBatch<SourceRecord>) {
        guard !polls.isEmpty else {
            if isBounded, !ended {
                ended = true
                for split in assigned.sorted() { batch.markEnded(split) }
            }
            stopWhenExhausted?.stop()
            return
        }
        var current = polls.removeFirst()
        if current.count > maxRecords {
            polls.insert(Array(current[maxRecords...]), at: 0)
            current = Array(current[..<maxRecords])
        }
        for record in current where assigned.contains(record.split) {
            batch.append(record, split: record.split, offset: record.offset, timestamp: record.timestamp)
        }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let reason: String
    var description: String { reason }
}

func environment(
    _ name: String = "test", threads: Int = 2, parallelism: Int? = nil, batchSize: Int = 4096,
    policy: BadInputPolicy = .fail, clock: (any ProcessingTimeClock)? = nil, runtime: LocalRuntime = LocalRuntime()
) -> StreamEnvironment {
    var configuration = JobConfiguration()
    configuration.threads = threads
    configuration.parallelism = parallelism
    configuration.batchSize = batchSize
    configuration.badInputPolicy = policy
    configuration.checkpointInterval = .zero
    if let clock { configuration.clock = clock }
    return StreamEnvironment(jobName: name, runtime: runtime, configuration: configuration)
}

struct Event: Sendable, Hashable, Codable {
    var key: String
    var value: Int
    var timestamp: Int64
}

/// Neither this nor ``OpaqueEvent`` is `Codable`, so state holding them has no codec.
struct OpaqueKey: Hashable {
    var id: Int
}

struct OpaqueEvent: Hashable {
    var key: String
    var value: Int
}

struct CountAggregate<Input>: AggregateFunction {
    func createAccumulator() -> Int { 0 }
    func add(_ value: Input, to accumulator: inout Int) { accumulator += 1 }
    func result(_ accumulator: Int) -> Int { accumulator }
    func merge(_ first: Int, _ second: Int) -> Int { first + second }
}

/// A deterministic pseudo-random sequence, so tests are repeatable without fixtures.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

func randomEvents(count: Int, keys: Int, maxTimestamp: Int64, seed: UInt64 = 42) -> [Event] {
    var random = SplitMix(state: seed)
    return (0..<count).map { index in
        Event(key: "key-\(Int.random(in: 0..<keys, using: &random))", value: index,
              timestamp: Int64.random(in: 0..<maxTimestamp, using: &random))
    }
}
