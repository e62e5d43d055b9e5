import XCTest
@testable import Sluice

final class WindowStateTests: XCTestCase {
    /// Random adds, updates and removals against a plain dictionary model: removal moves the last
    /// slot and entry into the hole, which must never lose or mix up a key's windows.
    func testWindowStateMatchesADictionaryModelUnderRandomChanges() {
        let state = MemoryWindowState<String, [Int]>(name: ReservedStateName.windows, accumulatorCodec: JSONCodec<[Int]>())
        var model: [String: [TimeWindow: [Int]]] = [:]
        var random = SplitMix(state: 11)
        for step in 0..<20_000 {
            let key = "k\(random.next() % 40)"
            let start = Int64(random.next() % 8) * 1_000
            let window = TimeWindow(start: start, end: start + 1_000)
            let entry = state.slot(of: key).flatMap { state.entry(in: $0, window: window) }
            XCTAssertEqual(entry.map { state.accumulator(at: $0) }, model[key]?[window], "step \(step)")
            if random.next() % 3 == 0 {
                if let entry { state.removeEntry(entry) }
                model[key]?[window] = nil
                if model[key]?.isEmpty == true { model[key] = nil }
            } else if let entry {
                state.setAccumulator(state.accumulator(at: entry) + [step], at: entry)
                model[key]![window]!.append(step)
            } else {
                let slot = state.slot(of: key) ?? state.addSlot(key)
                _ = state.addEntry(in: slot, window: window, accumulator: [step])
                model[key, default: [:]][window] = [step]
            }
        }
        XCTAssertEqual(Set(state.keys), Set(model.keys))
        for (key, windows) in model {
            guard let slot = state.slot(of: key) else { return XCTFail("\(key) has no slot") }
            let contents = Dictionary(uniqueKeysWithValues: state.entries(in: slot).map { (state.windows[$0], state.accumulator(at: $0)) })
            XCTAssertEqual(contents, windows, key)
        }
    }
}

final class WindowStateSnapshotTests: XCTestCase {
    private func entries(_ state: MemoryWindowState<String, [Int]>, changesOnly: Bool) throws -> [KeyedStateEntry] {
        var entries: [KeyedStateEntry] = []
        try state.forEachEntry(changesOnly: changesOnly, keyCodec: UTF8StringCodec()) { entries.append($0) }
        state.forgetChanges()
        return entries
    }

    /// Random adds, updates and removals with tracking on, against a dictionary model that also
    /// notes which keys changed. Every increment must list exactly those keys, a removal where
    /// the key has no window left; applying the last full snapshot and its increments to fresh
    /// contents must rebuild the model.
    func testFullSnapshotAndIncrementsRebuildTheWindowContents() throws {
        let state = MemoryWindowState<String, [Int]>(name: ReservedStateName.windows, accumulatorCodec: JSONCodec<[Int]>())
        state.setTracksChanges(true)
        var model: [String: [TimeWindow: [Int]]] = [:]
        var changed = Set<String>()
        var chain: [[KeyedStateEntry]] = []
        var random = SplitMix(state: 12)
        var checked = 0
        for step in 0..<20_000 {
            let key = "k\(random.next() % 40)"
            let start = Int64(random.next() % 8) * 1_000
            let window = TimeWindow(start: start, end: start + 1_000)
            let entry = state.slot(of: key).flatMap { state.entry(in: $0, window: window) }
            if random.next() % 3 == 0 {
                if let entry {
                    state.removeEntry(entry)
                    changed.insert(key)
                }
                model[key]?[window] = nil
                if model[key]?.isEmpty == true { model[key] = nil }
            } else if let entry {
                state.setAccumulator(state.accumulator(at: entry) + [step], at: entry)
                model[key]![window]!.append(step)
                changed.insert(key)
            } else {
                let slot = state.slot(of: key) ?? state.addSlot(key)
                _ = state.addEntry(in: slot, window: window, accumulator: [step])
                model[key, default: [:]][window] = [step]
                changed.insert(key)
            }
            guard random.next() % 500 == 0 else { continue }
            let full = chain.isEmpty || random.next() % 3 == 0
            let snapshot = try entries(state, changesOnly: !full)
            if full {
                chain = []
                XCTAssertEqual(Set(try snapshot.map { try PayloadReader.key($0.key) }), Set(model.keys))
            } else {
                XCTAssertEqual(snapshot.count, changed.count, "step \(step): one entry per changed key")
                XCTAssertEqual(Set(try snapshot.map { try PayloadReader.key($0.key) }), changed, "step \(step)")
                for entry in snapshot {
                    XCTAssertEqual(entry.payload == nil, model[try PayloadReader.key(entry.key)] == nil)
                }
            }
            changed = []
            chain.append(snapshot)

            let restored = MemoryWindowState<String, [Int]>(name: ReservedStateName.windows, accumulatorCodec: JSONCodec<[Int]>())
            restored.setTracksChanges(true)
            for entry in chain.joined() { try restored.apply(entry.payload, to: try PayloadReader.key(entry.key)) }
            XCTAssertEqual(Set(restored.keys), Set(model.keys), "step \(step)")
            for (key, windows) in model {
                let slot = try XCTUnwrap(restored.slot(of: key))
                let contents = Dictionary(uniqueKeysWithValues: restored.entries(in: slot).map { (restored.windows[$0], restored.accumulator(at: $0)) })
                XCTAssertEqual(contents, windows, "step \(step) \(key)")
            }
            XCTAssertEqual(restored.changedKeys, [], "restoring records no change")
            checked += 1
        }
        XCTAssertGreaterThan(checked, 20)
    }

    /// The payload is the documented format: a count, then start, end and the JSON
    /// accumulator of each window, oldest first.
    func testAPayloadListsAKeysWindowsOldestFirst() throws {
        let state = MemoryWindowState<String, Int>(name: ReservedStateName.windows, accumulatorCodec: JSONCodec<Int>())
        let slot = state.addSlot("a")
        _ = state.addEntry(in: slot, window: TimeWindow(start: 0, end: 10), accumulator: 7)
        _ = state.addEntry(in: slot, window: TimeWindow(start: -10, end: 0), accumulator: 12)
        var entries: [KeyedStateEntry] = []
        try state.forEachEntry(changesOnly: false, keyCodec: UTF8StringCodec()) { entries.append($0) }
        var expected = SnapshotWriter()
        expected.write(UInt32(2))
        for (start, end, accumulator) in [(Int64(0), Int64(10), "7"), (-10, 0, "12")] {
            expected.write(start)
            expected.write(end)
            expected.write(bytes: Array(accumulator.utf8))
        }
        XCTAssertEqual(entries, [KeyedStateEntry(state: "__sluice.windows", key: Array("a".utf8), payload: expected.bytes)])
    }

    /// With tracking off the contents record nothing, however they change.
    func testWithoutTrackingNothingIsRecorded() {
        let state = MemoryWindowState<String, Int>(name: ReservedStateName.windows, accumulatorCodec: JSONCodec<Int>())
        XCTAssertFalse(state.tracksChanges)
        for index in 0..<100 {
            let key = "k\(index % 7)"
            let slot = state.slot(of: key) ?? state.addSlot(key)
            let entry = state.addEntry(in: slot, window: TimeWindow(start: Int64(index), end: Int64(index) + 5), accumulator: index)
            state.setAccumulator(index + 1, at: entry)
            if index % 3 == 0 { state.removeEntry(entry) }
        }
        XCTAssertEqual(state.changedKeys, [])
    }
}
