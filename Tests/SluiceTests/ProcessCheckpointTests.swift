import Foundation
import XCTest
@testable import Sluice

/// A keyed process job on `String` keys, built into one task.
private struct ProcessJob {
    let task: TaskUnderTest<Event>
    let results: SinkCursor<String>
    let processID: String

    init(checkpointing: Bool = true, _ process: (KeyedStream<Event, String>) -> DataStream<String>) throws {
        let env = environment()
        results = SinkCursor(process(env.fromCollection([Event]()).keyBy { $0.key }).collect())
        let exchange = try env.exchangeNodeID
        task = try TaskUnderTest(env, after: exchange, checkpointing: checkpointing)
        processID = "\(exchange + 1):process"
    }

    func run(_ round: Round<Event>) throws -> [String] {
        try task.run(round)
        return results.take()
    }
}

/// The state of ``CheckpointedProcessFunction`` as a full checkpoint holds it, in the model's
/// shape.
private struct ProcessContents: Equatable {
    var watermark: Int64
    var count: [String: Int] = [:]
    var values: [String: [Int]] = [:]
    var buckets: [String: [Int: Int]] = [:]
    var eventTimers: [String: Set<Int64>] = [:]
    var processingTimers: [String: Set<Int64>] = [:]

    init(_ checkpoint: TaskCheckpoint, participant: String) throws {
        watermark = try WatermarkSnapshot.decode(try XCTUnwrap(checkpoint.scalars[participant]))
        for entry in checkpoint.entries[participant] ?? [] {
            let key = try PayloadReader.key(entry.key)
            let payload = try XCTUnwrap(entry.payload, "a full checkpoint has no removals")
            switch entry.state {
            case "count": count[key] = try JSONDecoder().decode(Int.self, from: Data(payload))
            case "values": values[key] = try PayloadReader.list(payload, of: Int.self)
            case "buckets": buckets[key] = try PayloadReader.map(payload, of: Int.self, Int.self)
            case "__sluice.timers":
                let timers = try PayloadReader.timers(payload)
                if !timers.event.isEmpty { eventTimers[key] = timers.event }
                if !timers.processing.isEmpty { processingTimers[key] = timers.processing }
            default: XCTFail("unexpected state \(entry.state)")
            }
        }
    }

    init(_ model: ProcessModel) {
        watermark = model.watermark
        count = model.count
        values = model.values
        buckets = model.buckets
        eventTimers = model.eventTimers
        processingTimers = model.processingTimers
    }
}

/// Rounds a few milliseconds of processing time apart, with random elements around the
/// watermark and a watermark most of the time; the last round ends event time.
private func processRounds(count: Int, seed: UInt64) -> [Round<Event>] {
    var random = SplitMix(state: seed)
    var watermark: Int64 = 0
    var now: Int64 = 50_000
    var value = 0
    var rounds: [Round<Event>] = []
    for index in 0..<count {
        now += Int64.random(in: 1...12, using: &random)
        var elements: [(value: Event, timestamp: Int64)] = []
        for _ in 0..<Int.random(in: 0...4, using: &random) {
            let timestamp = max(0, watermark + Int64.random(in: -20...60, using: &random))
            value += 1
            elements.append((Event(key: "k\(Int.random(in: 0..<6, using: &random))", value: value, timestamp: timestamp), timestamp))
        }
        var next: Int64? = nil
        if Int.random(in: 0..<3, using: &random) > 0 {
            watermark += Int64.random(in: 0...25, using: &random)
            next = watermark
        }
        rounds.append(Round(now: now, elements: elements, watermark: index == count - 1 ? .max : next))
    }
    return rounds
}

/// Registers an event-time timer 100 ms after each element; its output names the key.
final class TimerOnlyFunction: KeyedProcessFunction {
    func processElement(_ event: Event, context: KeyedProcessContext<String, String>, out: Collector<String>) {
        context.timerService.registerEventTimeTimer(event.timestamp + 100)
    }

    func onTimer(_ timestamp: Int64, context: KeyedProcessContext<String, String>, out: Collector<String>) {
        out.collect("\(context.currentKey) \(timestamp)")
    }
}

final class ProcessCheckpointTests: XCTestCase {
    /// Random rounds through a checkpointing process function and its model, with full and
    /// changes-only checkpoints at random: every increment lists exactly the keys each state and
    /// the timers changed, removals where the model has nothing left. From every checkpoint a
    /// fresh operator restored from the chain holds the model's state and timers, and produces
    /// exactly what the original produced, in the same order, for every later round.
    func testProcessFunctionStateAndTimersRestoreFromFullAndIncrementalCheckpoints() throws {
        for seed: UInt64 in [21, 22, 23] {
            let rounds = processRounds(count: 200, seed: seed)
            var random = SplitMix(state: seed ^ 0x5eed)
            let original = try ProcessJob { $0.process(CheckpointedProcessFunction()) }
            var model = ProcessModel()
            var outputs: [[String]] = []
            var checkpoints: [(round: Int, checkpoint: TaskCheckpoint, model: ProcessModel)] = []
            for (index, round) in rounds.enumerated() {
                if index > 0, Int.random(in: 0..<6, using: &random) == 0 {
                    let changesOnly = !checkpoints.isEmpty && Int.random(in: 0..<3, using: &random) > 0
                    let checkpoint = try original.task.checkpoint(changesOnly: changesOnly)
                    if changesOnly {
                        try checkIncrement(checkpoint.entries[original.processID] ?? [], against: model, "seed \(seed) round \(index)")
                    } else {
                        XCTAssertEqual(try ProcessContents(checkpoint, participant: original.processID), ProcessContents(model))
                    }
                    checkpoints.append((index, checkpoint, model))
                    model.startIncrement()
                }
                let produced = try original.run(round)
                XCTAssertEqual(produced.sorted(), model.run(round).sorted(), "seed \(seed) round \(index)")
                outputs.append(produced)
            }
            XCTAssertGreaterThan(checkpoints.filter(\.checkpoint.changesOnly).count, 10, "the seed exercises increments")
            XCTAssertGreaterThan(outputs.joined().filter { $0.hasPrefix("processing") }.count, 10, "the seed fires processing-time timers")
            XCTAssertGreaterThan(outputs.joined().filter { $0.hasPrefix("event") }.count, 10, "the seed fires event-time timers")

            for (position, point) in checkpoints.enumerated() {
                let start = try XCTUnwrap(checkpoints[...position].lastIndex { !$0.checkpoint.changesOnly })
                let restored = try ProcessJob { $0.process(CheckpointedProcessFunction()) }
                try restored.task.restore(checkpoints[start...position].map(\.checkpoint))
                XCTAssertEqual(
                    try ProcessContents(try restored.task.checkpoint(changesOnly: false), participant: restored.processID),
                    ProcessContents(point.model), "seed \(seed) restored at round \(point.round)")
                for index in point.round..<rounds.count {
                    XCTAssertEqual(try restored.run(rounds[index]), outputs[index], "seed \(seed) restored at round \(point.round), round \(index)")
                }
            }
        }
    }

    private func checkIncrement(_ entries: [KeyedStateEntry], against model: ProcessModel, _ message: String) throws {
        var listed: [String: Set<String>] = [:]
        for entry in entries {
            let key = try PayloadReader.key(entry.key)
            XCTAssertTrue(listed[entry.state, default: []].insert(key).inserted, "\(entry.state) \(key) listed twice, \(message)")
            let isEmpty = switch entry.state {
            case "count": model.count[key] == nil
            case "values": model.values[key] == nil
            case "buckets": model.buckets[key] == nil
            default: model.eventTimers[key] == nil && model.processingTimers[key] == nil
            }
            XCTAssertEqual(entry.payload == nil, isEmpty, "\(entry.state) \(key), \(message)")
        }
        XCTAssertEqual(listed, model.changed.filter { !$0.value.isEmpty }, message)
    }

    /// After a full checkpoint, timers touched for k of N keys yield exactly k timer entries, and
    /// keys whose last timer fired are removals.
    func testAnIncrementHoldsOnlyTheKeysWhoseTimersChanged() throws {
        let job = try ProcessJob { $0.process(TimerOnlyFunction()) }
        let keys = (0..<12).map { "key-\($0)" }
        _ = try job.run(Round(now: 0, elements: keys.map { (Event(key: $0, value: 0, timestamp: 0), 0) }, watermark: 0))
        let full = try job.task.checkpoint(changesOnly: false).allEntries
        XCTAssertEqual(full.count, 12)
        XCTAssertTrue(full.allSatisfy { $0.state == "__sluice.timers" })

        let touched = ["key-2", "key-5", "key-6"]
        _ = try job.run(Round(now: 1, elements: touched.map { (Event(key: $0, value: 0, timestamp: 50), 50) }, watermark: nil))
        let increment = try job.task.checkpoint(changesOnly: true).allEntries
        XCTAssertEqual(Set(try increment.map { try PayloadReader.key($0.key) }), Set(touched))
        XCTAssertEqual(increment.count, 3)
        XCTAssertEqual(try increment.map { try PayloadReader.timers(try XCTUnwrap($0.payload)).event }, Array(repeating: [100, 150], count: 3))

        // The timers at 100 fire for every key; the touched keys keep theirs at 150.
        XCTAssertEqual(try job.run(Round(now: 2, elements: [], watermark: 120)).count, 12)
        let fired = try job.task.checkpoint(changesOnly: true).allEntries
        XCTAssertEqual(fired.count, 12)
        XCTAssertEqual(Set(try fired.filter { $0.payload == nil }.map { try PayloadReader.key($0.key) }), Set(keys).subtracting(touched))
    }

    /// Without checkpointing, neither state nor timers record changes: a changes-only snapshot is
    /// refused, a full one works.
    func testWithoutCheckpointingNoChangesAreTracked() throws {
        let job = try ProcessJob(checkpointing: false) { $0.process(CheckpointedProcessFunction()) }
        _ = try job.run(Round(now: 0, elements: [(Event(key: "a", value: 1, timestamp: 10), 10)], watermark: nil))
        let participant = try job.task.participant(job.processID)
        XCTAssertThrowsError(try participant.snapshotKeyed(changesOnly: true) { _ in }) {
            XCTAssertEqual($0 as? StateError, .changesNotTracked("operator '2-process(CheckpointedProcessFunction)'"))
        }
        let entries = try job.task.checkpoint(changesOnly: false).allEntries
        XCTAssertEqual(Set(entries.map(\.state)), ["count", "values", "buckets", "__sluice.timers"])
    }
}
