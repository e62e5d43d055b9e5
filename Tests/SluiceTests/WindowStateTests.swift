import XCTest
@testable import Sluice

final class WindowStateTests: XCTestCase {
    /// Random adds, updates and removals against a plain dictionary model: removal moves the last
    /// slot and entry into the hole, which must never lose or mix up a key's windows.
    func testWindowStateMatchesADictionaryModelUnderRandomChanges() {
        let state = MemoryWindowState<String, [Int]>(name: "window-contents")
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

    func testWindowContentsInTheMemoryBackendAreNotSnapshottable() throws {
        let backend = MemoryKeyedStateBackend<String>(keyCodec: JSONCodec<String>(), operatorName: "op")
        let state: MemoryWindowState<String, Int> = try backend.windowState("window-contents")
        _ = state.addEntry(in: state.addSlot("a"), window: TimeWindow(start: 0, end: 10), accumulator: 1)
        XCTAssertEqual(backend.keys, ["a"])
        XCTAssertThrowsError(try backend.snapshot()) {
            XCTAssertEqual($0 as? StateError, .notSnapshottable("state 'window-contents'"))
        }
    }
}
