import Foundation
import XCTest
import Sluice
import SluiceTesting

/// A state backend written as a user would, with Sluice's public API only: each operator's state
/// lives in a memory backend it keeps inside, and it remembers every keyed backend it made.
final class DelegatingStateBackend: StateBackend, @unchecked Sendable {
    /// Whether its keyed backends hold window contents (``KeyedStateBackend/windowState(_:)``).
    let holdsWindows: Bool
    private let lock = NSLock()
    // Guarded by `lock`: task threads add while building, the test reads while the job is parked.
    private var made: [AnyObject] = []

    init(holdsWindows: Bool) {
        self.holdsWindows = holdsWindows
    }

    func makeKeyedBackend<Key: Hashable>(
        keyCodec: (any Codec<Key>)?, operatorName: String, task: TaskID
    ) throws -> any KeyedStateBackend<Key> {
        let inner = MemoryKeyedStateBackend<Key>(keyCodec: keyCodec, operatorName: operatorName)
        let backend: any KeyedStateBackend<Key> = holdsWindows
            ? WindowHoldingKeyedBackend(inner: inner) : PlainKeyedBackend(inner: inner)
        lock.withLock { made.append(backend) }
        return backend
    }

    /// The window-holding keyed backends of key type `Key`.
    func windowHolders<Key: Hashable>(_: Key.Type) -> [WindowHoldingKeyedBackend<Key>] {
        lock.withLock { made.compactMap { $0 as? WindowHoldingKeyedBackend<Key> } }
    }
}

/// A keyed backend that passes every call to a memory backend of its own.
protocol ForwardingKeyedBackend: KeyedStateBackend {
    var inner: MemoryKeyedStateBackend<Key> { get }
}

extension ForwardingKeyedBackend {
    var currentKey: Key? {
        get { inner.currentKey }
        set { inner.currentKey = newValue }
    }

    func valueState<Value>(_ descriptor: ValueStateDescriptor<Value>) throws -> any ValueState<Value> {
        try inner.valueState(descriptor)
    }

    func listState<Element>(_ descriptor: ListStateDescriptor<Element>) throws -> any ListState<Element> {
        try inner.listState(descriptor)
    }

    func mapState<MapKey: Hashable, Value>(_ descriptor: MapStateDescriptor<MapKey, Value>) throws -> any MapState<MapKey, Value> {
        try inner.mapState(descriptor)
    }

    var keys: [Key] { inner.keys }

    var tracksChanges: Bool {
        get { inner.tracksChanges }
        set { inner.tracksChanges = newValue }
    }

    func snapshotEntries(changesOnly: Bool, into body: (KeyedStateEntry) throws -> Void) throws {
        try inner.snapshotEntries(changesOnly: changesOnly, into: body)
    }

    func applyEntry(_ entry: KeyedStateEntry) throws {
        try inner.applyEntry(entry)
    }

    func snapshot() throws -> [UInt8] {
        try inner.snapshot()
    }

    func restore(from snapshot: [UInt8]) throws {
        try inner.restore(from: snapshot)
    }
}

/// Keeps the protocol's default `windowState(_:)`, so it cannot hold windows.
final class PlainKeyedBackend<Key: Hashable>: ForwardingKeyedBackend {
    let inner: MemoryKeyedStateBackend<Key>

    init(inner: MemoryKeyedStateBackend<Key>) {
        self.inner = inner
    }
}

/// Holds window contents too, in the same memory backend, and notes their registrations.
final class WindowHoldingKeyedBackend<Key: Hashable>: ForwardingKeyedBackend {
    let inner: MemoryKeyedStateBackend<Key>
    private(set) var windowStates: [String] = []

    init(inner: MemoryKeyedStateBackend<Key>) {
        self.inner = inner
    }

    func windowState<Accumulator>(_ descriptor: WindowStateDescriptor<Accumulator>) throws -> MemoryWindowState<Key, Accumulator> {
        windowStates.append(descriptor.name)
        return try inner.windowState(descriptor)
    }
}

/// Window contents come from the job's configured state backend: a backend of the user's own
/// holds them (its keys and snapshots show them), and one that cannot hold them fails planning
/// with one line naming it and the window operator, instead of windows quietly living elsewhere.
final class WindowStateBackendTests: XCTestCase {
    private static func wordCount(_ backend: DelegatingStateBackend) -> TestDriver {
        var configuration = JobConfiguration()
        configuration.parallelism = 2
        configuration.stateBackend = backend
        return TestDriver(jobName: "word-count", configuration: configuration) { env, topics in
            env.fromSource(try topics.source(topics: ["words"]), deserializer: UTF8StringCodec())
                .keyBy(\.self)
                .window(TumblingEventTimeWindows.of(seconds: 10))
                .aggregate(Count()) { word, window, count in "\(word) \(window.start) \(count)" }
                .sink(to: topics.sink(topic: "counts"), serializer: UTF8StringCodec())
        }
    }

    func testWindowContentsLiveInTheConfiguredBackend() throws {
        let backend = DelegatingStateBackend(holdsWindows: true)
        let driver = Self.wordCount(backend)
        defer { _ = try? driver.close() }
        let words = try driver.input("words", partitions: 2, serializer: UTF8StringCodec())
        let input = ["kafka", "window", "kafka", "state", "window", "kafka"]
        for (index, word) in input.enumerated() {
            try words.pipe(value: word, timestamp: Int64(index) * 1_000, partition: Int32(index % 2))
        }

        let holders = backend.windowHolders(String.self)
        XCTAssertEqual(holders.count, 2, "one keyed backend per window task")
        for holder in holders {
            XCTAssertEqual(holder.windowStates.count, 1, "each task's window registered its contents in the job's backend once")
        }
        // The open windows are the backend's state: its keys, and its snapshot entries (one per
        // key, under the window operator's state name).
        let window = try XCTUnwrap(driver.statefulOperators.first { $0.contains("window(") })
        XCTAssertEqual(Set(try driver.keys(ofOperator: window, as: String.self)), Set(input))
        var snapshotted: [String] = []
        for holder in holders {
            try holder.snapshotEntries(changesOnly: false) { entry in
                XCTAssertEqual(entry.state, holder.windowStates.first)
                snapshotted.append(String(decoding: entry.key, as: UTF8.self))
            }
        }
        XCTAssertEqual(snapshotted.sorted(), Set(input).sorted(), "each key once, in the task that owns it")

        try driver.advanceWatermark(to: 9_999)
        XCTAssertEqual(try driver.output("counts", deserializer: UTF8StringCodec()).readValues().sorted(),
                       ["kafka 0 3", "state 0 1", "window 0 2"])
        XCTAssertEqual(try driver.keys(ofOperator: window, as: String.self), [], "fired windows leave the backend")
    }

    func testABackendThatCannotHoldWindowsFailsPlanningNamingItAndTheOperator() throws {
        let driver = Self.wordCount(DelegatingStateBackend(holdsWindows: false))
        defer { _ = try? driver.close() }
        let words = try driver.input("words", partitions: 2, serializer: UTF8StringCodec())
        XCTAssertThrowsError(try words.pipe(value: "kafka", timestamp: 0)) { error in
            guard case JobError.invalidPlan = error else { return XCTFail("\(error) is no plan error") }
            XCTAssertEqual(
                "\(error)",
                "invalid job plan: operator 'window(tumbling 10000 ms).aggregate(Count<String>)' keeps its windows in the job's state backend, but its keyed backend PlainKeyedBackend<String> cannot hold window contents: implement KeyedStateBackend.windowState(_:) there, or use a state backend that does, such as MemoryStateBackend")
        }
    }
}
