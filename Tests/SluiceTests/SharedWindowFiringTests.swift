import XCTest
@testable import Sluice

/// A count window job on `String` keys in one task driven round by round: its results and its
/// late records, each in the order the operator emitted them.
private struct CountWindowJob {
    let task: TaskUnderTest<Event>
    let results: SinkCursor<String>
    let late: SinkCursor<String>

    init(_ assigner: WindowAssigner, lateness: Duration = .zero, checkpointing: Bool = false) throws {
        let env = environment()
        let lateTag = OutputTag<Event>("late")
        let output = env.fromCollection([Event]())
            .keyBy { $0.key }
            .window(assigner)
            .allowedLateness(lateness)
            .sideOutputLateData(lateTag)
            .aggregate(CountAggregate<Event>()) { key, window, count in OrderedWindowModel.result(key, window, count) }
        results = SinkCursor(output.collect())
        late = SinkCursor(output.sideOutput(lateTag).map { "late \($0.key) \($0.value)" }.collect())
        task = try TaskUnderTest(env, after: try env.exchangeNodeID, checkpointing: checkpointing)
    }

    func run(_ round: Round<Event>) throws -> (results: [String], late: [String]) {
        try task.run(round)
        return (results.take(), late.take())
    }
}

/// Rounds of elements of `keys` keys (named in a shuffled order, so creation order is not name
/// order) around a watermark that mostly moves on; a key leaves for a while now and then and
/// comes back. The last round ends event time.
private func rounds(count: Int, keys: Int, spread: ClosedRange<Int64>, seed: UInt64) -> [Round<Event>] {
    var random = SplitMix(state: seed)
    let names = (0..<keys).map { "key-\($0)" }.shuffled(using: &random)
    var watermark: Int64 = 0
    var value = 0
    var result: [Round<Event>] = []
    for index in 0..<count {
        // Each round draws from a random part of the key space, so keys leave and come back.
        let low = Int.random(in: 0..<keys, using: &random)
        let width = Int.random(in: 1...keys, using: &random)
        var elements: [(value: Event, timestamp: Int64)] = []
        for _ in 0..<Int.random(in: 0...40, using: &random) {
            let key = names[(low + Int.random(in: 0..<width, using: &random)) % keys]
            let timestamp = watermark + Int64.random(in: spread, using: &random)
            value += 1
            elements.append((Event(key: key, value: value, timestamp: timestamp), timestamp))
        }
        var next: Int64?
        if Int.random(in: 0..<4, using: &random) > 0 {
            watermark += Int64.random(in: 0...120, using: &random)
            next = watermark
        }
        result.append(Round(now: Int64(index), elements: elements, watermark: index == count - 1 ? .max : next))
    }
    return result
}

final class SharedWindowFiringTests: XCTestCase {
    /// Feeds `rounds` to the job and to the model and compares every round's results and late
    /// records, in order. Returns how many results and late records there were.
    @discardableResult
    private func checkAgainstModel(
        _ job: CountWindowJob, _ model: inout OrderedWindowModel, _ rounds: [Round<Event>], _ label: String
    ) throws -> (results: Int, late: Int, refired: Int) {
        var totals = (results: 0, late: 0, refired: 0)
        for (index, round) in rounds.enumerated() {
            var expected: [String] = []
            var expectedLate: [String] = []
            for (event, timestamp) in round.elements {
                let added = model.add(key: event.key, value: event.value, at: timestamp)
                expected += added.results
                expectedLate += added.late
            }
            totals.refired += expected.count
            if let watermark = round.watermark { expected += model.advance(to: watermark) }
            let produced = try job.run(round)
            XCTAssertEqual(produced.results, expected, "\(label) round \(index)")
            XCTAssertEqual(produced.late, expectedLate, "\(label) round \(index)")
            totals.results += expected.count
            totals.late += expectedLate.count
        }
        return totals
    }

    /// Hundreds of keys share each window end; every end fires as one bucket, in the order the
    /// keys' windows were created, ends in order.
    func testManyKeysSharingAnEndFireInCreationOrder() throws {
        let job = try CountWindowJob(TumblingEventTimeWindows.of(.milliseconds(100)))
        var model = OrderedWindowModel(size: 100)
        let totals = try checkAgainstModel(job, &model, rounds(count: 300, keys: 400, spread: -50...250, seed: 21), "tumbling")
        XCTAssertGreaterThan(totals.results, 1_000, "the seed fires many windows")
        XCTAssertGreaterThan(totals.late, 0, "the seed has late records")
    }

    /// The ordering the model spells out, by hand: keys created c, a, b in one window and b, c
    /// in the next fire as c, a, b then b, c, whatever their names' order.
    func testOneEndFiresItsKeysInTheOrderTheirWindowsWereCreated() throws {
        let job = try CountWindowJob(TumblingEventTimeWindows.of(.milliseconds(10)))
        let elements: [(String, Int64)] = [("c", 1), ("a", 5), ("c", 2), ("b", 9), ("b", 12), ("a", 3), ("c", 15)]
        let produced = try job.run(Round(
            now: 0, elements: elements.enumerated().map { (Event(key: $0.element.0, value: $0.offset, timestamp: $0.element.1), $0.element.1) },
            watermark: 100))
        XCTAssertEqual(produced.results, [
            "c [0, 10) count=2", "a [0, 10) count=2", "b [0, 10) count=1",
            "b [10, 20) count=1", "c [10, 20) count=1",
        ])
    }

    /// Sliding windows put one element in several windows with different ends; with an offset,
    /// ends are not multiples of the slide.
    func testSlidingWindowsWithOffsetsFireByEndThenCreation() throws {
        for (size, slide, offset, seed) in [(Int64(300), Int64(100), Int64(30), UInt64(22)), (250, 50, -20, 23), (100, 100, 7, 24)] {
            let job = try CountWindowJob(SlidingEventTimeWindows.of(
                size: .milliseconds(size), slide: .milliseconds(slide), offset: .milliseconds(offset)))
            var model = OrderedWindowModel(size: size, slide: slide, offset: offset)
            let totals = try checkAgainstModel(
                job, &model, rounds(count: 200, keys: 150, spread: -80...300, seed: seed), "sliding \(size)/\(slide)+\(offset)")
            XCTAssertGreaterThan(totals.results, 500)
        }
    }

    /// Allowed lateness: windows fire at their end, fire again for each late element within the
    /// lateness, and are dropped (shared cleanup buckets) once it passes; later elements are late.
    func testAllowedLatenessRefiresAndCleansUp() throws {
        let job = try CountWindowJob(TumblingEventTimeWindows.of(.milliseconds(100)), lateness: .milliseconds(150), checkpointing: true)
        var model = OrderedWindowModel(size: 100, lateness: 150)
        let rounds = rounds(count: 250, keys: 200, spread: -300...200, seed: 25)
        var late = 0
        var refired = 0
        for (index, round) in rounds.dropLast().enumerated() {
            let totals = try checkAgainstModel(job, &model, [round], "lateness round \(index)")
            late += totals.late
            refired += totals.refired
            if index % 25 == 0 {
                // What the operator keeps: exactly the windows the model has not dropped.
                XCTAssertEqual(try windowCounts(job.task), model.counts, "round \(index)")
            }
        }
        XCTAssertGreaterThan(late, 0, "the seed has records later than the lateness")
        XCTAssertGreaterThan(refired, 0, "the seed has late records within the lateness")
        XCTAssertGreaterThan(model.counts.count, 0)
        try checkAgainstModel(job, &model, [rounds.last!], "lateness last round")
        XCTAssertEqual(try windowCounts(job.task), [:], "every window was dropped at the end of event time")
    }

    /// Sliding windows with allowed lateness: end and cleanup buckets of many times interleave.
    func testSlidingWindowsWithLateness() throws {
        let job = try CountWindowJob(
            SlidingEventTimeWindows.of(size: .milliseconds(200), slide: .milliseconds(50)), lateness: .milliseconds(70))
        var model = OrderedWindowModel(size: 200, slide: 50, lateness: 70)
        let totals = try checkAgainstModel(job, &model, rounds(count: 200, keys: 100, spread: -250...150, seed: 26), "sliding lateness")
        XCTAssertGreaterThan(totals.late, 0)
    }

    /// Processing-time windows: each element goes to the window of the clock when it arrives; a
    /// window fires in the first round whose clock reaches its end, keys in creation order.
    func testProcessingTimeTumblingWindowsFireInCreationOrder() throws {
        let job = try CountWindowJob(TumblingProcessingTimeWindows.of(.milliseconds(100)))
        var model = OrderedWindowModel(size: 100)
        var random = SplitMix(state: 27)
        let names = (0..<300).map { "key-\($0)" }.shuffled(using: &random)
        var now: Int64 = 10_000
        var fired = 0
        for index in 0..<150 {
            now += Int64.random(in: 0...70, using: &random)
            // The event timestamps mean nothing to these windows; the watermark passes through.
            let keys = (0..<Int.random(in: 0...30, using: &random)).map { _ in names[Int.random(in: 0..<names.count, using: &random)] }
            var expected = model.advance(to: now - 1)
            for key in keys { expected += model.add(key: key, value: 0, at: now).results }
            let produced = try job.run(Round(
                now: now, elements: keys.map { (Event(key: $0, value: 0, timestamp: 5), 5) }, watermark: Int64(index) * 1_000))
            XCTAssertEqual(produced.results, expected, "round \(index)")
            XCTAssertEqual(produced.late, [])
            fired += expected.count
        }
        XCTAssertGreaterThan(fired, 500)
    }

    /// Session windows keep per-key timers: sessions of many keys fire by end, whatever the
    /// order in which they started.
    func testSessionsOfManyKeysFireInEndOrder() throws {
        let job = try CountWindowJob(EventTimeSessionWindows.withGap(.milliseconds(10)))
        // Key k has elements at 100 - k and 100 + k: one session [100 - k, 110 + k) of two
        // elements (the gap bridges 2k < 10 only for k < 5; other keys get two sessions).
        var elements: [(value: Event, timestamp: Int64)] = []
        for k in 0..<8 {
            elements.append((Event(key: "k\(k)", value: k, timestamp: 100 - Int64(k)), 100 - Int64(k)))
        }
        for k in (0..<8).reversed() {
            elements.append((Event(key: "k\(k)", value: k, timestamp: 100 + Int64(k)), 100 + Int64(k)))
        }
        let produced = try job.run(Round(now: 0, elements: elements, watermark: 1_000))
        var expected: [(end: Int64, result: String)] = []
        for k in Int64(0)..<8 {
            if 100 + k <= 100 - k + 10 {
                expected.append((110 + k, OrderedWindowModel.result("k\(k)", TimeWindow(start: 100 - k, end: 110 + k), 2)))
            } else {
                expected.append((110 - k, OrderedWindowModel.result("k\(k)", TimeWindow(start: 100 - k, end: 110 - k), 1)))
                expected.append((110 + k, OrderedWindowModel.result("k\(k)", TimeWindow(start: 100 + k, end: 110 + k), 1)))
            }
        }
        XCTAssertEqual(produced.results, expected.sorted { $0.end < $1.end }.map(\.result))
    }

    /// A job restored from a full checkpoint and its increments produces what the uninterrupted
    /// job produces, which is what the model computes. Windows of one end may come in another
    /// order after a restore (creation order is not in checkpoints), but still by end.
    func testRestoredJobProducesTheUninterruptedResults() throws {
        for (assigner, model, seed) in [
            (TumblingEventTimeWindows.of(.milliseconds(100)), OrderedWindowModel(size: 100, lateness: 60), UInt64(28)),
            (SlidingEventTimeWindows.of(size: .milliseconds(150), slide: .milliseconds(50)), OrderedWindowModel(size: 150, slide: 50, lateness: 60), 29),
        ] {
            let rounds = rounds(count: 240, keys: 300, spread: -120...200, seed: seed)
            let original = try CountWindowJob(assigner, lateness: .milliseconds(60), checkpointing: true)
            var uninterrupted = model
            var chain: [TaskCheckpoint] = []
            var restoredFrom: (round: Int, model: OrderedWindowModel)?
            for (index, round) in rounds.enumerated() {
                if index == 80 || index == 100 || index == 130 {
                    chain.append(try original.task.checkpoint(changesOnly: index != 80))
                    restoredFrom = (index, uninterrupted)
                }
                try checkAgainstModel(original, &uninterrupted, [round], "\(assigner) uninterrupted round \(index)")
            }
            let (start, modelAtCheckpoint) = try XCTUnwrap(restoredFrom)
            let restored = try CountWindowJob(assigner, lateness: .milliseconds(60), checkpointing: true)
            try restored.task.restore(chain)
            XCTAssertEqual(try windowCounts(restored.task), modelAtCheckpoint.counts, "\(assigner) restored contents")
            var model = modelAtCheckpoint
            for index in start..<rounds.count {
                let round = rounds[index]
                var fromElements: [String] = []
                var expectedLate: [String] = []
                for (event, timestamp) in round.elements {
                    let added = model.add(key: event.key, value: event.value, at: timestamp)
                    fromElements += added.results
                    expectedLate += added.late
                }
                let fromWatermark = round.watermark.map { model.advance(to: $0) } ?? []
                let produced = try restored.run(round)
                // Elements re-fire windows in element order; the watermark then fires by end.
                XCTAssertEqual(Array(produced.results.prefix(fromElements.count)), fromElements, "\(assigner) restored, round \(index)")
                let fired = Array(produced.results.dropFirst(fromElements.count))
                XCTAssertEqual(fired.sorted(), fromWatermark.sorted(), "\(assigner) restored, round \(index)")
                XCTAssertEqual(fired.map(Self.end(of:)), fromWatermark.map(Self.end(of:)), "windows fire by end")
                XCTAssertEqual(produced.late, expectedLate, "\(assigner) restored, round \(index)")
            }
        }
    }

    private static func end(of result: String) -> Int64 {
        // "key [start, end) count=n"
        let inside = result.split(separator: "[")[1].split(separator: ")")[0]
        return Int64(String(inside.split(separator: ",")[1].filter { $0 != " " }))!
    }
}

/// The window operator's counts per key and window, read from a full checkpoint.
private func windowCounts(_ task: TaskUnderTest<Event>) throws -> [String: [TimeWindow: Int]] {
    let checkpoint = try task.checkpoint(changesOnly: false)
    var counts: [String: [TimeWindow: Int]] = [:]
    for entry in checkpoint.allEntries where entry.state == ReservedStateName.windows {
        counts[try PayloadReader.key(entry.key)] = try PayloadReader.windows(try XCTUnwrap(entry.payload), of: Int.self)
    }
    return counts
}
