/// Runs an event-time window in one task: assigns elements to windows, keeps one accumulator per
/// key and window in keyed state, and fires windows in timestamp order as the watermark passes
/// their end.
///
/// A processing-time assigner (``TumblingProcessingTimeWindows``) places each element by the
/// task's processing time when it arrives and fires a window in the first processing-time round
/// at or after its end; the watermark then only passes through, and nothing is late.
///
/// Every window function is an accumulator here (a reduce keeps the running value, a process
/// window function keeps the element list), so merging sessions and allowed lateness work the
/// same for all of them.
///
/// Per element the operator does one key lookup in ``MemoryWindowState`` and a short walk over
/// the key's windows; firings are scheduled only when a key's window is created.
///
/// Tumbling and sliding windows keep no timer per key and window: windows that end together
/// share one bucket of a ``FiringSchedule`` (the key slots that have a window ending then, in
/// the order the windows were created), and the watermark or the clock passing an end fires the
/// whole bucket in that order. With allowed lateness a second schedule holds the cleanups at
/// end + lateness. Sessions merge, so their windows change ends; they keep per-key timers in a
/// ``TimerQueue``.
///
/// Its checkpoints hold the watermark (scalar) and the window contents (keyed, under
/// ``ReservedStateName/windows``), but no timers: every firing follows from a window and the
/// watermark, so a restore schedules them again (``finishRestore()``). Windows of different keys
/// that end together then fire in the restored order of their keys, not necessarily the order
/// in which they were created.
final class WindowNode<Element, Key: Hashable, Accumulator, Output>: Node<Element> {
    struct Functions {
        var create: () -> Accumulator
        var add: (Element, inout Accumulator) throws -> Void
        var merge: (Accumulator, Accumulator) throws -> Accumulator
        var emit: (Key, WindowContext, Accumulator, Collector<Output>) throws -> Void
    }

    private let name: String
    private let nodeID: Int
    private let assigner: WindowAssigner
    private let isMerging: Bool
    /// Whether windows follow the processing-time clock instead of event time.
    private let onProcessingClock: Bool
    private let keySelector: @Sendable (Element) throws -> Key
    private let functions: Functions
    private let allowedLateness: Int64
    private let lateTag: OutputTag<Element>?
    /// The job's keyed backend of this operator in this task, which holds ``contents`` among
    /// its states; called per checkpoint and per restored entry, never per element.
    private let backend: any KeyedStateBackend<Key>
    /// Got from ``backend`` once, here, so every element reaches it without dynamic dispatch.
    private let contents: MemoryWindowState<Key, Accumulator>
    /// Session timers; unused for other assigners.
    private var timers = TimerQueue<Key, TimeWindow>()
    /// For tumbling and sliding windows: the slots whose window ends at each time (and, without
    /// allowed lateness, is dropped then), and with allowed lateness the slots whose window is
    /// dropped at each time. Exempt from run-time exclusivity checks: written when a window is
    /// created and while firing, and the firing callbacks never touch them.
    @exclusivity(unchecked) private var endFirings = FiringSchedule()
    @exclusivity(unchecked) private var cleanupFirings = FiringSchedule()
    private let failures: FailureHandler
    private let sideOutputs: SideOutputs
    private let collector = Collector<Output>()
    private let next: Node<Output>
    /// Read for every element; exempt from run-time exclusivity checks because it is only
    /// assigned in `onWatermark` and on restore, never while another access to it is in progress.
    @exclusivity(unchecked) private var watermark: Int64 = .min
    private var processingTime: Int64 = .min

    /// - Parameters:
    ///   - backend: holds the window contents (``KeyedStateBackend/windowState(_:)``); throws
    ///     ``StateError/windowStateUnsupported(backend:)`` when it cannot.
    ///   - accumulatorCodec: encodes accumulators in checkpoints.
    ///   - checkpointing: whether the contents record the keys they change.
    init(name: String, nodeID: Int, assigner: WindowAssigner, keySelector: @escaping @Sendable (Element) throws -> Key,
         functions: Functions, allowedLateness: Int64, lateTag: OutputTag<Element>?,
         backend: any KeyedStateBackend<Key>, accumulatorCodec: (any Codec<Accumulator>)?, checkpointing: Bool,
         failures: FailureHandler, sideOutputs: SideOutputs, next: Node<Output>) throws {
        self.name = name
        self.nodeID = nodeID
        self.assigner = assigner
        isMerging = assigner.isMerging
        onProcessingClock = assigner.domain == .processingTime
        self.keySelector = keySelector
        self.functions = functions
        self.allowedLateness = onProcessingClock ? 0 : allowedLateness
        self.lateTag = lateTag
        self.failures = failures
        self.sideOutputs = sideOutputs
        self.next = next
        self.backend = backend
        backend.tracksChanges = checkpointing
        contents = try backend.windowState(WindowStateDescriptor(ReservedStateName.windows, accumulatorCodec: accumulatorCodec))
    }

    override func push(_ batch: StreamBatch<Element>) throws {
        for index in 0..<batch.count {
            let value = batch.values[index]
            let timestamp = onProcessingClock ? processingTime : batch.timestamps[index]
            do {
                let key = try keySelector(value)
                let placed = isMerging
                    ? try addToSession(value, timestamp: timestamp, key: key)
                    : try addToWindows(value, timestamp: timestamp, key: key)
                if !placed, timestamp &+ allowedLateness <= watermark, let lateTag {
                    sideOutputs.emit(lateTag, value, timestamp: timestamp, origin: batch.origins[index])
                }
            } catch {
                try failures.handle(error, origin: batch.origins[index], operatorName: name)
            }
        }
        try flush()
    }

    override func onWatermark(_ watermark: Int64, idle: Bool) throws {
        if onProcessingClock {
            // Event time does not move these windows; it passes through to what follows.
            try next.onWatermark(watermark, idle: idle)
            try sideOutputs.onWatermark(watermark, idle: idle)
            return
        }
        if !idle, watermark > self.watermark {
            self.watermark = watermark
            try fireDue(atOrBefore: watermark)
            try flush()
        }
        try next.onWatermark(self.watermark, idle: idle)
        try sideOutputs.onWatermark(self.watermark, idle: idle)
    }

    override func onProcessingTime(_ now: Int64) throws {
        processingTime = now
        if onProcessingClock {
            // A window [start, end) fires once the clock reaches its end, at end - 1.
            try fireDue(atOrBefore: now &- 1)
            try flush()
        }
        try next.onProcessingTime(now)
        try sideOutputs.onProcessingTime(now)
    }

    /// Returns whether any window took the element.
    private func addToWindows(_ value: Element, timestamp: Int64, key: Key) throws -> Bool {
        var placed = false
        var slot = contents.slot(of: key)
        try assigner.forEachWindow(timestamp) { window in
            guard !isLate(window) else { return }
            placed = true
            let accumulator: Accumulator
            if let slot, let entry = contents.entry(in: slot, window: window) {
                // Updated on a copy and stored only when `add` succeeds, so a failing element
                // leaves the window as it was.
                var updated = contents.accumulator(at: entry)
                try functions.add(value, &updated)
                contents.setAccumulator(updated, at: entry)
                accumulator = updated
            } else {
                var created = functions.create()
                try functions.add(value, &created)
                let owner = slot ?? contents.addSlot(key)
                slot = owner
                _ = contents.addEntry(in: owner, window: window, accumulator: created)
                scheduleFirings(for: window, slot: owner)
                accumulator = created
            }
            if window.maxTimestamp <= watermark {
                try emit(key, window, accumulator)
            }
        }
        return placed
    }

    private func addToSession(_ value: Element, timestamp: Int64, key: Key) throws -> Bool {
        var merged = TimeWindow(start: timestamp, end: timestamp)
        assigner.forEachWindow(timestamp) { merged = $0 }
        let existing = contents.slot(of: key).map { contents.entries(in: $0) } ?? []
        let absorbed = existing
            .filter { contents.windows[$0].intersects(merged) }
            .map { (window: contents.windows[$0], accumulator: contents.accumulator(at: $0)) }
            .sorted { $0.window < $1.window }
        for entry in absorbed { merged = merged.cover(entry.window) }
        guard !isLate(merged) else { return false }
        var accumulator: Accumulator?
        for entry in absorbed {
            accumulator = try accumulator.map { try functions.merge($0, entry.accumulator) } ?? entry.accumulator
            remove(entry.window, of: key)
            deleteTimers(for: entry.window, key: key)
        }
        var result = accumulator ?? functions.create()
        try functions.add(value, &result)
        put(result, in: merged, of: key)
        registerTimers(for: merged, key: key)
        if merged.maxTimestamp <= watermark {
            try emit(key, merged, result)
        }
        return true
    }

    private func put(_ accumulator: Accumulator, in window: TimeWindow, of key: Key) {
        let slot = contents.slot(of: key) ?? contents.addSlot(key)
        if let entry = contents.entry(in: slot, window: window) {
            contents.setAccumulator(accumulator, at: entry)
        } else {
            _ = contents.addEntry(in: slot, window: window, accumulator: accumulator)
        }
    }

    private func remove(_ window: TimeWindow, of key: Key) {
        if let slot = contents.slot(of: key), let entry = contents.entry(in: slot, window: window) {
            contents.removeEntry(entry)
        }
    }

    private func isLate(_ window: TimeWindow) -> Bool {
        window.maxTimestamp &+ allowedLateness <= watermark
    }

    /// A window the watermark already passed fires on the element itself (Flink's
    /// `EventTimeTrigger`), so only its cleanup is scheduled; an end firing would fire it twice.
    private func scheduleFirings(for window: TimeWindow, slot: Int) {
        if window.maxTimestamp > watermark {
            endFirings.add(slot, at: window.maxTimestamp)
        }
        if allowedLateness > 0 {
            cleanupFirings.add(slot, at: window.maxTimestamp &+ allowedLateness)
        }
    }

    /// Fires what is due at or before `time`: every window ending by then in end order (windows
    /// of one end in the order they were created), then the cleanups, then frees the slots of
    /// keys that stayed without windows.
    private func fireDue(atOrBefore time: Int64) throws {
        var fired: Bool
        if isMerging {
            fired = false
            while let timer = timers.popDue(atOrBefore: time) {
                fired = true
                do {
                    try fire(timer)
                } catch {
                    try failures.handle(error, origin: .unknown, operatorName: name)
                }
            }
        } else {
            let dropsAtEnd = allowedLateness == 0
            fired = try endFirings.fireDue(atOrBefore: time) { end, slot in
                try fireWindow(in: slot, maxTimestamp: end, drop: dropsAtEnd)
            }
            if !dropsAtEnd {
                fired = cleanupFirings.fireDue(atOrBefore: time) { cleanup, slot in
                    if let entry = contents.entry(in: slot, maxTimestamp: cleanup &- allowedLateness) {
                        contents.removeEntry(entry)
                    }
                } || fired
            }
        }
        if fired { contents.releaseIdleSlots() }
    }

    /// Emits the window of `slot` that ends at `maxTimestamp`, and drops it when asked to, also
    /// when emitting failed.
    private func fireWindow(in slot: Int, maxTimestamp: Int64, drop: Bool) throws {
        guard let entry = contents.entry(in: slot, maxTimestamp: maxTimestamp) else { return }
        var failure: (any Error)?
        do {
            try emit(contents.key(ofSlot: slot), contents.windows[entry], contents.accumulator(at: entry))
        } catch {
            failure = error
        }
        if drop { contents.removeEntry(entry) }
        if let failure { try failures.handle(failure, origin: .unknown, operatorName: name) }
    }

    /// A session's timers, by the rule of ``scheduleFirings(for:slot:)``.
    private func registerTimers(for window: TimeWindow, key: Key) {
        if window.maxTimestamp > watermark {
            timers.register(Timer(timestamp: window.maxTimestamp, key: key, namespace: window))
        }
        if allowedLateness > 0 {
            timers.register(Timer(timestamp: window.maxTimestamp &+ allowedLateness, key: key, namespace: window))
        }
    }

    private func deleteTimers(for window: TimeWindow, key: Key) {
        timers.delete(Timer(timestamp: window.maxTimestamp, key: key, namespace: window))
        if allowedLateness > 0 {
            timers.delete(Timer(timestamp: window.maxTimestamp &+ allowedLateness, key: key, namespace: window))
        }
    }

    /// A session's end timer emits its result; the cleanup timer (the same one without allowed
    /// lateness) drops its state.
    private func fire(_ timer: Timer<Key, TimeWindow>) throws {
        let window = timer.namespace
        if timer.timestamp == window.maxTimestamp, let slot = contents.slot(of: timer.key),
            let entry = contents.entry(in: slot, window: window)
        {
            try emit(timer.key, window, contents.accumulator(at: entry))
        }
        if timer.timestamp == window.maxTimestamp &+ allowedLateness {
            remove(window, of: timer.key)
        }
    }

    private func emit(_ key: Key, _ window: TimeWindow, _ accumulator: Accumulator) throws {
        collector.timestamp = window.maxTimestamp
        collector.origin = .unknown
        let context = WindowContext(window: window, currentWatermark: watermark, currentProcessingTime: processingTime)
        try functions.emit(key, context, accumulator, collector)
    }

    private func flush() throws {
        try collector.flush(to: next)
        try sideOutputs.flush()
    }
}

extension WindowNode: CheckpointParticipant {
    var checkpointID: String { "\(nodeID):window" }

    func snapshotScalar() -> [UInt8]? {
        WatermarkSnapshot.encode(watermark)
    }

    func snapshotKeyed(changesOnly: Bool, into body: (KeyedStateEntry) throws -> Void) throws {
        try backend.snapshotEntries(changesOnly: changesOnly, into: body)
    }

    func restoreScalar(_ bytes: [UInt8]) throws {
        watermark = try WatermarkSnapshot.decode(bytes)
    }

    func restoreKeyed(_ entry: KeyedStateEntry) throws {
        try backend.applyEntry(entry)
    }

    /// Schedules each restored window's firings against the restored watermark, by the rule that
    /// scheduled them originally, which yields the same pending firings: an end firing for every
    /// window the watermark has not passed, a cleanup for every window under allowed lateness.
    func finishRestore() {
        endFirings.removeAll()
        cleanupFirings.removeAll()
        contents.forEachWindow { slot, window in
            if isMerging {
                registerTimers(for: window, key: contents.key(ofSlot: slot))
            } else {
                scheduleFirings(for: window, slot: slot)
            }
        }
    }
}
