import XCTest
@testable import Sluice

/// A key whose last window goes keeps its slot until two releases later; meanwhile it is
/// invisible to ``MemoryWindowState/keys`` and snapshots.
final class WindowSlotReuseTests: XCTestCase {
    private let window = TimeWindow(start: 0, end: 10)

    private func fullSnapshotKeys(_ state: MemoryWindowState<String, Int>) throws -> Set<String> {
        var keys = Set<String>()
        try state.forEachEntry(changesOnly: false, keyCodec: UTF8StringCodec()) { keys.insert(try PayloadReader.key($0.key)) }
        return keys
    }

    func testAnEmptiedSlotIsKeptUntilTheSecondReleaseAndInvisibleMeanwhile() throws {
        let state = MemoryWindowState<String, Int>(name: ReservedStateName.windows, accumulatorCodec: JSONCodec<Int>())
        state.setTracksChanges(true)
        let a = state.addSlot("a")
        let b = state.addSlot("b")
        let entryA = state.addEntry(in: a, window: window, accumulator: 1)
        _ = state.addEntry(in: b, window: window, accumulator: 2)
        state.forgetChanges()

        state.removeEntry(entryA)
        XCTAssertEqual(state.slot(of: "a"), a, "kept for the key's return")
        XCTAssertEqual(state.keys, ["b"])
        XCTAssertEqual(try fullSnapshotKeys(state), ["b"])
        var increment: [KeyedStateEntry] = []
        try state.forEachEntry(changesOnly: true, keyCodec: UTF8StringCodec()) { increment.append($0) }
        XCTAssertEqual(increment, [KeyedStateEntry(state: ReservedStateName.windows, key: Array("a".utf8), payload: nil)])

        state.releaseIdleSlots()
        XCTAssertEqual(state.slot(of: "a"), a, "emptied since the last release: kept")
        state.releaseIdleSlots()
        XCTAssertNil(state.slot(of: "a"), "still empty at the second release: freed")

        // The freed slot goes to the next new key, with nothing of "a" left in it.
        let c = state.addSlot("c")
        XCTAssertEqual(c, a)
        XCTAssertEqual(state.entries(in: c), [])
        XCTAssertEqual(state.keys, ["b"])
    }

    func testAKeyThatComesBackBeforeTheSecondReleaseKeepsItsSlot() {
        let state = MemoryWindowState<String, Int>(name: ReservedStateName.windows, accumulatorCodec: JSONCodec<Int>())
        let a = state.addSlot("a")
        state.removeEntry(state.addEntry(in: a, window: window, accumulator: 1))
        state.releaseIdleSlots()
        let next = TimeWindow(start: 10, end: 20)
        let entry = state.addEntry(in: a, window: next, accumulator: 5)
        state.releaseIdleSlots()
        state.releaseIdleSlots()
        XCTAssertEqual(state.slot(of: "a"), a)
        XCTAssertEqual(state.entry(in: a, maxTimestamp: 19), entry)
        XCTAssertNil(state.entry(in: a, maxTimestamp: 9))
        XCTAssertEqual(state.keys, ["a"])
    }

    /// Many keys coming and going with releases in between, against a dictionary model: slots
    /// and entries reused from the free lists never mix up keys.
    func testChurnWithReleasesMatchesADictionaryModel() {
        let state = MemoryWindowState<String, [Int]>(name: ReservedStateName.windows, accumulatorCodec: JSONCodec<[Int]>())
        var model: [String: [TimeWindow: [Int]]] = [:]
        var random = SplitMix(state: 34)
        for step in 0..<30_000 {
            if random.next() % 200 == 0 { state.releaseIdleSlots() }
            let key = "k\(random.next() % 300)"
            let start = Int64(random.next() % 4) * 10
            let window = TimeWindow(start: start, end: start + 10)
            let entry = state.slot(of: key).flatMap { state.entry(in: $0, window: window) }
            XCTAssertEqual(entry.map { state.accumulator(at: $0) }, model[key]?[window], "step \(step)")
            if random.next() % 2 == 0 {
                if let entry { state.removeEntry(entry) }
                model[key]?[window] = nil
                if model[key]?.isEmpty == true { model[key] = nil }
            } else if let entry {
                state.setAccumulator(state.accumulator(at: entry) + [step], at: entry)
                model[key]![window]!.append(step)
            } else {
                _ = state.addEntry(in: state.slot(of: key) ?? state.addSlot(key), window: window, accumulator: [step])
                model[key, default: [:]][window] = [step]
            }
        }
        XCTAssertEqual(Set(state.keys), Set(model.keys))
        for (key, windows) in model {
            guard let slot = state.slot(of: key) else { return XCTFail("\(key) has no slot") }
            XCTAssertEqual(state.key(ofSlot: slot), key)
            let contents = Dictionary(uniqueKeysWithValues: state.entries(in: slot).map { (state.windows[$0], state.accumulator(at: $0)) })
            XCTAssertEqual(contents, windows, key)
        }
    }
}
