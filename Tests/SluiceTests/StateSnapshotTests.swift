import XCTest
@testable import Sluice

final class StateSnapshotTests: XCTestCase {
    private func backend(tracking: Bool) -> MemoryKeyedStateBackend<String> {
        let backend = MemoryKeyedStateBackend<String>(keyCodec: UTF8StringCodec(), operatorName: "op")
        backend.tracksChanges = tracking
        return backend
    }

    private func entries(_ backend: MemoryKeyedStateBackend<String>, changesOnly: Bool) throws -> [KeyedStateEntry] {
        var entries: [KeyedStateEntry] = []
        try backend.snapshotEntries(changesOnly: changesOnly) { entries.append($0) }
        return entries
    }

    /// After a full snapshot, writing or clearing k of N keys yields exactly k entries, cleared
    /// keys without payload; nothing changed yields nothing.
    func testAnIncrementListsExactlyTheKeysWrittenOrCleared() throws {
        let backend = backend(tracking: true)
        let value = try backend.valueState(ValueStateDescriptor<Int>("value"))
        let keys = (0..<50).map { "key-\($0)" }
        for (index, key) in keys.enumerated() {
            backend.currentKey = key
            value.update(index)
        }
        XCTAssertEqual(try entries(backend, changesOnly: false).count, 50)
        XCTAssertEqual(try entries(backend, changesOnly: true).count, 0, "a full snapshot forgets the changes")

        let updated = ["key-1", "key-20", "key-33", "key-48"]
        let cleared = ["key-2", "key-9", "key-40"]
        for key in updated {
            backend.currentKey = key
            value.update(1_000)
            value.update(2_000)
        }
        for key in cleared {
            backend.currentKey = key
            value.clear()
        }
        let increment = try entries(backend, changesOnly: true)
        XCTAssertEqual(increment.count, 7)
        XCTAssertTrue(increment.allSatisfy { $0.state == "value" })
        XCTAssertEqual(Set(try increment.filter { $0.payload == nil }.map { try PayloadReader.key($0.key) }), Set(cleared))
        for entry in increment where entry.payload != nil {
            XCTAssertTrue(updated.contains(try PayloadReader.key(entry.key)))
            XCTAssertEqual(entry.payload, Array("2000".utf8))
        }
        XCTAssertEqual(try entries(backend, changesOnly: true).count, 0, "each change is handed out once")

        let list = try backend.listState(ListStateDescriptor<Int>("list"))
        let map = try backend.mapState(MapStateDescriptor<String, Int>("map"))
        backend.currentKey = "key-5"
        list.add(1)
        backend.currentKey = "key-6"
        map.put("a", 1)
        map.remove("a")
        map.remove("never there")
        backend.currentKey = "key-7"
        map.remove("never there")
        let mixed = try entries(backend, changesOnly: true)
        XCTAssertEqual(
            try mixed.map { "\($0.state) \(try PayloadReader.key($0.key)) \($0.payload == nil)" }.sorted(),
            ["list key-5 false", "map key-6 true"])
    }

    /// `__sluice.` names are Sluice's own: user state may not use them, whatever its kind.
    func testUserStateMayNotUseTheReservedPrefix() throws {
        let context = RuntimeContext(taskID: TaskID(stage: 1, partition: 0), backend: backend(tracking: false))
        XCTAssertThrowsError(try context.state(ValueStateDescriptor<Int>("__sluice.timers"))) {
            XCTAssertEqual($0 as? StateError, .reservedName("__sluice.timers"))
            XCTAssertEqual("\($0)", "state name '__sluice.timers' is reserved: names starting with '__sluice.' belong to Sluice")
        }
        XCTAssertThrowsError(try context.listState(ListStateDescriptor<Int>("__sluice.windows")))
        XCTAssertThrowsError(try context.mapState(MapStateDescriptor<Int, Int>("__sluice.anything")))
        XCTAssertNoThrow(try context.state(ValueStateDescriptor<Int>("sluice.timers")))
    }

    /// The keys of a changes-only snapshot that failed are still handed out by the next one.
    func testAFailedSnapshotKeepsTheChanges() throws {
        let backend = backend(tracking: true)
        let value = try backend.valueState(ValueStateDescriptor<Int>("value"))
        backend.currentKey = "a"
        value.update(1)
        XCTAssertThrowsError(try backend.snapshotEntries(changesOnly: true) { _ in throw TestFailure(reason: "log full") })
        XCTAssertEqual(try entries(backend, changesOnly: true).map(\.key), [Array("a".utf8)])
    }

    func testWithoutTrackingAChangesOnlySnapshotIsRefused() throws {
        let backend = backend(tracking: false)
        let value = try backend.valueState(ValueStateDescriptor<Int>("value"))
        backend.currentKey = "a"
        value.update(1)
        XCTAssertThrowsError(try entries(backend, changesOnly: true)) {
            XCTAssertEqual($0 as? StateError, .changesNotTracked("operator 'op'"))
        }
        XCTAssertEqual(try entries(backend, changesOnly: false).count, 1)
        // Turned on later, it records only what changes from then on.
        backend.tracksChanges = true
        backend.currentKey = "b"
        value.update(2)
        XCTAssertEqual(try entries(backend, changesOnly: true).map(\.key), [Array("b".utf8)])
        value.update(3)
        backend.tracksChanges = false
        backend.tracksChanges = true
        XCTAssertEqual(try entries(backend, changesOnly: true).count, 0, "turning tracking off forgets the changes")
    }

    func testWhileTrackingEveryStateNeedsACodec() throws {
        let backend = backend(tracking: true)
        XCTAssertThrowsError(try backend.valueState(ValueStateDescriptor<OpaqueEvent>("value", codec: nil))) {
            XCTAssertEqual($0 as? StateError, .codecRequired(state: "value", type: "OpaqueEvent"))
        }
        XCTAssertThrowsError(try backend.listState(ListStateDescriptor<Int>("list", codec: nil))) {
            XCTAssertEqual($0 as? StateError, .codecRequired(state: "list", type: "Int"))
        }
        XCTAssertThrowsError(try backend.mapState(MapStateDescriptor<OpaqueKey, Int>("map", keyCodec: nil, valueCodec: JSONCodec<Int>()))) {
            XCTAssertEqual($0 as? StateError, .codecRequired(state: "map", type: "OpaqueKey"))
        }
        XCTAssertNoThrow(try self.backend(tracking: false).valueState(ValueStateDescriptor<OpaqueEvent>("value", codec: nil)))
    }

    /// Random writes and clears on three kinds of state against plain dictionaries; at random
    /// points full or changes-only snapshots. Applying the last full snapshot and the increments
    /// after it to a fresh backend, whose states are registered before or after, must rebuild
    /// the state as it was.
    func testFullSnapshotAndIncrementsRebuildTheState() throws {
        var random = SplitMix(state: 77)
        let original = backend(tracking: true)
        let value = try original.valueState(ValueStateDescriptor<Int>("value"))
        let list = try original.listState(ListStateDescriptor<String>("list"))
        let map = try original.mapState(MapStateDescriptor<Int, Double>("map"))
        var values: [String: Int] = [:], lists: [String: [String]] = [:], maps: [String: [Int: Double]] = [:]
        var chain: [[KeyedStateEntry]] = []
        var checked = 0
        for step in 0..<3_000 {
            let key = "k\(random.next() % 25)"
            original.currentKey = key
            switch random.next() % 8 {
            case 0: value.update(step); values[key] = step
            case 1: value.clear(); values[key] = nil
            case 2: list.add("\(step)"); lists[key, default: []].append("\(step)")
            case 3: list.update([]); lists[key] = nil
            case 4: map.put(step % 5, Double(step) / 2); maps[key, default: [:]][step % 5] = Double(step) / 2
            case 5:
                map.remove(step % 5)
                maps[key]?[step % 5] = nil
                if maps[key]?.isEmpty == true { maps[key] = nil }
            case 6: map.clear(); maps[key] = nil
            default: break
            }
            guard random.next() % 150 == 0 else { continue }
            let full = chain.isEmpty || random.next() % 3 == 0
            if full { chain = [] }
            chain.append(try entries(original, changesOnly: !full))

            let restored = backend(tracking: true)
            func register() throws -> (any ValueState<Int>, any ListState<String>, any MapState<Int, Double>) {
                (try restored.valueState(ValueStateDescriptor<Int>("value")), try restored.listState(ListStateDescriptor<String>("list")),
                 try restored.mapState(MapStateDescriptor<Int, Double>("map")))
            }
            let registeredFirst = random.next() % 2 == 0
            let early = registeredFirst ? try register() : nil
            for entry in chain.joined() { try restored.applyEntry(entry) }
            let (restoredValue, restoredList, restoredMap) = try early ?? register()
            XCTAssertEqual(Set(restored.keys), Set(values.keys).union(lists.keys).union(maps.keys), "step \(step)")
            for index in 0..<25 {
                let key = "k\(index)"
                restored.currentKey = key
                XCTAssertEqual(restoredValue.value(), values[key], "step \(step) \(key)")
                XCTAssertEqual(restoredList.get(), lists[key] ?? [], "step \(step) \(key)")
                XCTAssertEqual(Dictionary(uniqueKeysWithValues: restoredMap.entries().map { ($0.key, $0.value) }), maps[key] ?? [:])
            }
            XCTAssertEqual(try entries(restored, changesOnly: true).count, 0, "restoring records no change")
            checked += 1
        }
        XCTAssertGreaterThan(checked, 10)
        XCTAssertGreaterThan(chain.count, 1)
    }

    /// Entries of a state not registered yet wait, later entries replacing earlier ones, and a
    /// full snapshot taken meanwhile keeps them.
    func testEntriesOfUnregisteredStatesWaitForTheirRegistration() throws {
        let backend = backend(tracking: true)
        try backend.applyEntry(KeyedStateEntry(state: "count", key: Array("a".utf8), payload: Array("1".utf8)))
        try backend.applyEntry(KeyedStateEntry(state: "count", key: Array("b".utf8), payload: Array("2".utf8)))
        try backend.applyEntry(KeyedStateEntry(state: "count", key: Array("a".utf8), payload: Array("5".utf8)))
        try backend.applyEntry(KeyedStateEntry(state: "count", key: Array("b".utf8), payload: nil))
        try backend.applyEntry(KeyedStateEntry(state: "count", key: Array("c".utf8), payload: Array("3".utf8)))
        XCTAssertEqual(backend.keys, [])
        let waiting = try entries(backend, changesOnly: false)
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: try waiting.map { (try PayloadReader.key($0.key), $0.payload) }),
                       ["a": Array("5".utf8), "c": Array("3".utf8)])
        XCTAssertEqual(try entries(backend, changesOnly: true).count, 0)

        let count = try backend.valueState(ValueStateDescriptor<Int>("count"))
        XCTAssertEqual(Set(backend.keys), ["a", "c"])
        for (key, expected) in [("a", 5), ("b", nil), ("c", 3)] as [(String, Int?)] {
            backend.currentKey = key
            XCTAssertEqual(count.value(), expected, key)
        }
    }

    /// Restoring bytes replaces everything, including keys the snapshot does not have, and a
    /// corrupt snapshot leaves the state as it was.
    func testRestoreFromBytesReplacesAllState() throws {
        let source = backend(tracking: false)
        let sourceValue = try source.valueState(ValueStateDescriptor<Int>("value"))
        source.currentKey = "a"
        sourceValue.update(1)
        let snapshot = try source.snapshot()

        let target = backend(tracking: true)
        let value = try target.valueState(ValueStateDescriptor<Int>("value"))
        let list = try target.listState(ListStateDescriptor<Int>("list"))
        target.currentKey = "z"
        value.update(26)
        list.add(26)
        XCTAssertThrowsError(try target.restore(from: Array(snapshot.dropLast())))
        XCTAssertEqual(Set(target.keys), ["z"], "a corrupt snapshot changes nothing")
        try target.restore(from: snapshot)
        XCTAssertEqual(target.keys, ["a"])
        target.currentKey = "a"
        XCTAssertEqual(value.value(), 1)
        XCTAssertEqual(try entries(target, changesOnly: true).count, 0, "restoring forgets earlier changes")
    }
}
