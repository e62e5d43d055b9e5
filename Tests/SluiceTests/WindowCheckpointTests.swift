import XCTest
@testable import Sluice

/// A window job on `String` keys, built into a task that checkpoints.
private struct WindowJob {
    let task: TaskUnderTest<Event>
    let results: SinkCursor<String>
    let late: SinkCursor<String>
    let windowID: String

    init(_ scenario: WindowScenario, checkpointing: Bool = true) throws {
        let env = environment()
        let lateTag = OutputTag<Event>("late")
        let assigner: WindowAssigner
        switch scenario.shape {
        case .tumbling(let size): assigner = TumblingEventTimeWindows.of(.milliseconds(size))
        case .sliding(let size, let slide): assigner = SlidingEventTimeWindows.of(size: .milliseconds(size), slide: .milliseconds(slide))
        case .session(let gap): assigner = EventTimeSessionWindows.withGap(.milliseconds(gap))
        }
        let windowed = env.fromCollection([Event]())
            .keyBy { $0.key }
            .window(assigner)
            .allowedLateness(.milliseconds(scenario.lateness))
            .sideOutputLateData(lateTag)
        let output: DataStream<String>
        // Late records leave through the window operator's side output.
        let lateRecords: DataStream<Event>
        switch scenario.function {
        case .process:
            output = windowed.process { key, context, elements, _ in
                "\(key) [\(context.window.start), \(context.window.end)) \(elements.map(\.value).sorted())"
            }
            lateRecords = output.sideOutput(lateTag)
        case .reduce:
            let sums = windowed.reduce { Event(key: $0.key, value: $0.value + $1.value, timestamp: max($0.timestamp, $1.timestamp)) }
            output = sums.map { "\($0.key) sum=\($0.value)" }
            lateRecords = sums.sideOutput(lateTag)
        case .aggregate:
            output = windowed.aggregate(CountAggregate<Event>()) { key, window, count in
                "\(key) [\(window.start), \(window.end)) count=\(count)"
            }
            lateRecords = output.sideOutput(lateTag)
        }
        results = SinkCursor(output.collect())
        late = SinkCursor(lateRecords.map { "late \($0.key) \($0.value)" }.collect())
        let exchange = try env.exchangeNodeID
        task = try TaskUnderTest(env, after: exchange, checkpointing: checkpointing)
        windowID = "\(exchange + 1):window"
    }

    func run(_ round: Round<Event>) throws -> [String] {
        try task.run(round)
        return results.take() + late.take()
    }

    /// The operator's watermark and contents, read from a full checkpoint the way the model
    /// shows them.
    func contents(_ scenario: WindowScenario) throws -> (watermark: Int64, windows: [String: [TimeWindow: String]]) {
        let checkpoint = try task.checkpoint(changesOnly: false)
        let watermark = try WatermarkSnapshot.decode(try XCTUnwrap(checkpoint.scalars[windowID]))
        var windows: [String: [TimeWindow: String]] = [:]
        for entry in checkpoint.entries[windowID] ?? [] {
            XCTAssertEqual(entry.state, "__sluice.windows")
            let payload = try XCTUnwrap(entry.payload, "a full checkpoint has no removals")
            let summaries: [TimeWindow: String]
            switch scenario.function {
            case .process: summaries = try PayloadReader.windows(payload, of: [Event].self).mapValues { "\($0.map(\.value).sorted())" }
            case .reduce: summaries = try PayloadReader.windows(payload, of: Event?.self).mapValues { "sum=\($0?.value ?? 0)" }
            case .aggregate: summaries = try PayloadReader.windows(payload, of: Int.self).mapValues { "count=\($0)" }
            }
            windows[try PayloadReader.key(entry.key)] = summaries
        }
        return (watermark, windows)
    }
}

/// Rounds of random elements around the watermark, some late, and watermarks that mostly move
/// on; the last round ends event time.
private func windowRounds(count: Int, seed: UInt64) -> [Round<Event>] {
    var random = SplitMix(state: seed)
    var watermark: Int64 = 0
    var value = 0
    var rounds: [Round<Event>] = []
    for index in 0..<count {
        var elements: [(value: Event, timestamp: Int64)] = []
        for _ in 0..<Int.random(in: 0...4, using: &random) {
            let timestamp = max(0, watermark + Int64.random(in: -150...250, using: &random))
            value += 1
            elements.append((Event(key: "k\(Int.random(in: 0..<6, using: &random))", value: value, timestamp: timestamp), timestamp))
        }
        var next: Int64? = nil
        if Int.random(in: 0..<3, using: &random) > 0 {
            // Now and then a watermark that does not move, which must change nothing.
            watermark += Int.random(in: 0..<5, using: &random) == 0 ? 0 : Int64.random(in: 1...90, using: &random)
            next = watermark
        }
        rounds.append(Round(now: 1_000 + Int64(index), elements: elements, watermark: index == count - 1 ? .max : next))
    }
    return rounds
}

final class WindowCheckpointTests: XCTestCase {
    /// Runs random rounds through a checkpointing window operator and a model, taking full and
    /// changes-only checkpoints at random. Each increment must list exactly the keys the model
    /// saw change. Then, from every checkpoint, a fresh operator restored from the chain must hold
    /// the model's contents and produce what the original produced for every later round.
    private func checkRestoresFromEveryCheckpoint(_ scenario: WindowScenario, seed: UInt64) throws {
        let rounds = windowRounds(count: 220, seed: seed)
        var random = SplitMix(state: seed ^ 0x5eed)
        let original = try WindowJob(scenario)
        var model = WindowModel(scenario)
        var outputs: [[String]] = []
        var checkpoints: [(round: Int, checkpoint: TaskCheckpoint, model: WindowModel)] = []
        for (index, round) in rounds.enumerated() {
            if index > 0, Int.random(in: 0..<7, using: &random) == 0 {
                let changesOnly = !checkpoints.isEmpty && Int.random(in: 0..<3, using: &random) > 0
                let checkpoint = try original.task.checkpoint(changesOnly: changesOnly)
                let entries = checkpoint.entries[original.windowID] ?? []
                if changesOnly {
                    XCTAssertEqual(Set(try entries.map { try PayloadReader.key($0.key) }), model.changedKeys, "\(scenario) round \(index)")
                    XCTAssertEqual(entries.count, model.changedKeys.count, "one entry per changed key")
                    for entry in entries {
                        XCTAssertEqual(entry.payload == nil, model.windows[try PayloadReader.key(entry.key)] == nil, "removed keys have no payload")
                    }
                } else {
                    XCTAssertEqual(Set(try entries.map { try PayloadReader.key($0.key) }), Set(model.windows.keys))
                }
                checkpoints.append((index, checkpoint, model))
                model.startIncrement()
            }
            let produced = try original.run(round)
            XCTAssertEqual(produced.sorted(), model.run(round).sorted(), "\(scenario) round \(index)")
            outputs.append(produced)
        }
        XCTAssertGreaterThan(checkpoints.filter(\.checkpoint.changesOnly).count, 5, "the seed exercises increments")
        XCTAssertGreaterThan(outputs.joined().filter { $0.hasPrefix("late") }.count, 0, "the seed exercises late records")

        for (position, point) in checkpoints.enumerated() {
            let start = try XCTUnwrap(checkpoints[...position].lastIndex { !$0.checkpoint.changesOnly })
            let restored = try WindowJob(scenario)
            try restored.task.restore(checkpoints[start...position].map(\.checkpoint))
            let contents = try restored.contents(scenario)
            XCTAssertEqual(contents.watermark, point.model.watermark, "\(scenario) restored at round \(point.round)")
            XCTAssertEqual(contents.windows, point.model.contents, "\(scenario) restored at round \(point.round)")
            for index in point.round..<rounds.count {
                // Windows of different keys that end together may fire in another order: the
                // restore registers their timers anew.
                XCTAssertEqual(
                    try restored.run(rounds[index]).sorted(), outputs[index].sorted(),
                    "\(scenario) restored at round \(point.round), round \(index)")
            }
        }
    }

    func testTumblingWindowsRestoreFromFullAndIncrementalCheckpoints() throws {
        try checkRestoresFromEveryCheckpoint(WindowScenario(shape: .tumbling(size: 100), lateness: 0, function: .process), seed: 1)
        try checkRestoresFromEveryCheckpoint(WindowScenario(shape: .tumbling(size: 100), lateness: 60, function: .process), seed: 2)
    }

    func testSlidingWindowsRestoreFromFullAndIncrementalCheckpoints() throws {
        try checkRestoresFromEveryCheckpoint(WindowScenario(shape: .sliding(size: 100, slide: 40), lateness: 0, function: .process), seed: 3)
        try checkRestoresFromEveryCheckpoint(WindowScenario(shape: .sliding(size: 100, slide: 40), lateness: 60, function: .process), seed: 4)
    }

    func testSessionWindowsRestoreFromFullAndIncrementalCheckpoints() throws {
        try checkRestoresFromEveryCheckpoint(WindowScenario(shape: .session(gap: 30), lateness: 0, function: .process), seed: 5)
        try checkRestoresFromEveryCheckpoint(WindowScenario(shape: .session(gap: 30), lateness: 60, function: .process), seed: 6)
    }

    func testReduceAndAggregateAccumulatorsRestore() throws {
        try checkRestoresFromEveryCheckpoint(WindowScenario(shape: .tumbling(size: 100), lateness: 60, function: .reduce), seed: 7)
        try checkRestoresFromEveryCheckpoint(WindowScenario(shape: .session(gap: 30), lateness: 60, function: .reduce), seed: 8)
        try checkRestoresFromEveryCheckpoint(WindowScenario(shape: .sliding(size: 100, slide: 40), lateness: 60, function: .aggregate), seed: 9)
    }

    /// After a full checkpoint, touching k of N keys yields exactly k entries; dropping windows
    /// yields removals.
    func testAnIncrementHoldsOnlyTheKeysTouchedSinceTheLastCheckpoint() throws {
        let scenario = WindowScenario(shape: .tumbling(size: 100), lateness: 0, function: .aggregate)
        let job = try WindowJob(scenario)
        let keys = (0..<20).map { "key-\($0)" }
        try job.task.run(Round(now: 0, elements: keys.map { (Event(key: $0, value: 1, timestamp: 10), 10) }, watermark: 0))
        XCTAssertEqual(try job.task.checkpoint(changesOnly: false).allEntries.count, 20)

        let touched = ["key-3", "key-7", "key-8", "key-15", "key-19"]
        let elements = touched.flatMap { [(Event(key: $0, value: 1, timestamp: 20), Int64(20)), (Event(key: $0, value: 1, timestamp: 150), Int64(150))] }
        try job.task.run(Round(now: 1, elements: elements, watermark: nil))
        let increment = try job.task.checkpoint(changesOnly: true).allEntries
        XCTAssertEqual(increment.map(\.key).sorted { $0.lexicographicallyPrecedes($1) }, touched.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) })
        XCTAssertEqual(try increment.map { try PayloadReader.windows(try XCTUnwrap($0.payload), of: Int.self) }.map(\.count), [2, 2, 2, 2, 2])

        XCTAssertEqual(try job.task.checkpoint(changesOnly: true).allEntries.count, 0, "nothing changed since")

        // [0, 100) fires and is dropped for every key; the touched ones keep [100, 200).
        try job.task.run(Round(now: 2, elements: [], watermark: 99))
        let removals = try job.task.checkpoint(changesOnly: true).allEntries
        XCTAssertEqual(removals.count, 20)
        XCTAssertEqual(Set(try removals.filter { $0.payload == nil }.map { try PayloadReader.key($0.key) }), Set(keys).subtracting(touched))
    }

    /// Without checkpointing, the window contents record nothing and a changes-only snapshot is
    /// refused rather than silently empty; a full one still works.
    func testWithoutCheckpointingNoChangesAreTracked() throws {
        let scenario = WindowScenario(shape: .tumbling(size: 100), lateness: 0, function: .aggregate)
        let job = try WindowJob(scenario, checkpointing: false)
        try job.task.run(Round(now: 0, elements: [(Event(key: "a", value: 1, timestamp: 10), 10)], watermark: nil))
        let participant = try job.task.participant(job.windowID)
        XCTAssertThrowsError(try participant.snapshotKeyed(changesOnly: true) { _ in }) {
            XCTAssertEqual($0 as? StateError, .changesNotTracked("operator '2-window(tumbling 100 ms).aggregate(CountAggregate<Event>)'"))
        }
        XCTAssertEqual(try job.task.checkpoint(changesOnly: false).allEntries.count, 1)
    }

    /// A source already partitioned by the key needs no exchange, so the timestamp assigner and
    /// the window share a task; restoring both must give the restored window the watermark the
    /// original had, with no new records.
    func testTimestampAssignerAndWindowRestoreTogether() throws {
        func build() throws -> (task: TaskUnderTest<Event>, results: SinkCursor<String>) {
            let env = environment()
            let output = env.fromSource(
                CollectionSource(name: "events", elements: [(Event, Int64)]()),
                watermarks: WatermarkStrategy.forBoundedOutOfOrderness(.milliseconds(50)).withTimestampAssigner { event, _ in event.timestamp },
                partitionedBy: \.key)
                .keyBy(\.key)
                .window(TumblingEventTimeWindows.of(.milliseconds(100)))
                .aggregate(CountAggregate<Event>()) { key, window, count in "\(key) \(window.start) \(count)" }
            let results = SinkCursor(output.collect())
            return (try TaskUnderTest(env, after: 0, checkpointing: true), results)
        }
        let original = try build()
        XCTAssertEqual(Set(original.task.context.participants.map(\.checkpointID)), ["1:watermark-generator", "2:window"])
        let events = [("a", 10), ("b", 40), ("a", 120), ("b", 180), ("a", 230)].map { Event(key: $0.0, value: 1, timestamp: Int64($0.1)) }
        // Record timestamps are ignored: the assigner takes the event's. Highest timestamp 230, so
        // the watermark is 230 - 50 - 1 = 179 and [0, 100) fires.
        try original.task.run(Round(now: 0, elements: events.map { ($0, 0) }, watermark: .min))
        XCTAssertEqual(original.results.take().sorted(), ["a 0 1", "b 0 1"])
        // A checkpoint between a batch and the next watermark: the generator has seen 400, the
        // window still stands at 179.
        try original.task.run(Round(now: 1, elements: [(Event(key: "a", value: 1, timestamp: 400), 0)], watermark: nil))
        let checkpoint = try original.task.checkpoint(changesOnly: false)
        let restored = try build()
        try restored.task.restore([checkpoint])

        let later = [
            // No records: only the restored generator knows the watermark is now 349.
            Round<Event>(now: 2, elements: [], watermark: .min),
            // 150 is late for that watermark; the end of input fires the rest.
            Round<Event>(now: 3, elements: [(Event(key: "b", value: 1, timestamp: 150), 0)], watermark: .max),
        ]
        for job in [original, restored] {
            try job.task.run(later[0])
            XCTAssertEqual(job.results.take().sorted(), ["a 100 1", "a 200 1", "b 100 1"])
            try job.task.run(later[1])
            XCTAssertEqual(job.results.take(), ["a 400 1"])
        }
    }
}
