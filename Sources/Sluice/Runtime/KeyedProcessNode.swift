/// Runs a ``KeyedProcessFunction`` in one task: sets the current key for state and timers
/// around every element and timer, and fires timers in timestamp order as time advances.
///
/// Its checkpoints hold the timer service's watermark (scalar), and per key the function's
/// state and the key's timers (keyed, the timers under ``ReservedStateName/timers``).
final class KeyedProcessNode<Function: KeyedProcessFunction>: Node<Function.Input> {
    typealias Key = Function.Key

    private let function: Function
    private let keySelector: @Sendable (Function.Input) throws -> Key
    private let keyCodec: (any Codec<Key>)?
    private let backend: any KeyedStateBackend<Key>
    private let failures: FailureHandler
    private let timers = TimerService<Key>()
    private let sideOutputs: SideOutputs
    private let context: KeyedProcessContext<Key, Function.Output>
    private let collector = Collector<Function.Output>()
    private let next: Node<Function.Output>
    private let name: String
    private let nodeID: Int

    /// When `task` checkpoints, state and timers record the keys they change, and a state the
    /// function registers without a codec fails the build.
    init(name: String, nodeID: Int, function: Function, keySelector: @escaping @Sendable (Function.Input) throws -> Key,
         keyCodec: (any Codec<Key>)?, backend: any KeyedStateBackend<Key>, task: TaskContext,
         sideOutputs: SideOutputs, next: Node<Function.Output>) throws {
        self.name = name
        self.nodeID = nodeID
        self.function = function
        self.keySelector = keySelector
        self.keyCodec = keyCodec
        self.backend = backend
        failures = task.failures
        self.sideOutputs = sideOutputs
        self.next = next
        context = KeyedProcessContext(timerService: timers, sideOutputs: sideOutputs)
        super.init()
        if task.checkpointing {
            backend.tracksChanges = true
            timers.tracksChanges = true
        }
        do {
            try function.open(RuntimeContext(taskID: task.taskID, backend: backend))
        } catch let error as StateError {
            guard case .codecRequired = error else { throw error }
            throw JobError.invalidPlan("operator '\(name)' checkpoints its state, but \(error)")
        }
    }

    override func push(_ batch: StreamBatch<Function.Input>) throws {
        context.timeDomain = nil
        for index in 0..<batch.count {
            let origin = batch.origins[index]
            do {
                let key = try keySelector(batch.values[index])
                setKey(key)
                context.timestamp = batch.timestamps[index]
                context.origin = origin
                collector.timestamp = batch.timestamps[index]
                collector.origin = origin
                try function.processElement(batch.values[index], context: context, out: collector)
            } catch {
                try failures.handle(error, origin: origin, operatorName: name)
            }
        }
        try flush()
    }

    override func onWatermark(_ watermark: Int64, idle: Bool) throws {
        if !idle, watermark > timers.currentWatermark {
            timers.currentWatermark = watermark
            while let timer = timers.popEventTimer(atOrBefore: watermark) {
                try fire(timer, domain: .eventTime)
            }
            try flush()
        }
        try next.onWatermark(timers.currentWatermark, idle: idle)
        try sideOutputs.onWatermark(timers.currentWatermark, idle: idle)
    }

    override func onProcessingTime(_ now: Int64) throws {
        timers.currentProcessingTime = now
        while let timer = timers.popProcessingTimer(atOrBefore: now) {
            try fire(timer, domain: .processingTime)
        }
        try flush()
        try next.onProcessingTime(now)
        try sideOutputs.onProcessingTime(now)
    }

    private func fire(_ timer: Timer<Key, TimerNamespace>, domain: TimeDomain) throws {
        setKey(timer.key)
        context.timestamp = timer.timestamp
        context.timeDomain = domain
        context.origin = .unknown
        collector.timestamp = timer.timestamp
        collector.origin = .unknown
        do {
            try function.onTimer(timer.timestamp, context: context, out: collector)
        } catch {
            try failures.handle(error, origin: .unknown, operatorName: "\(name).onTimer")
        }
        context.timeDomain = nil
    }

    private func setKey(_ key: Key) {
        backend.currentKey = key
        timers.key = key
    }

    private func flush() throws {
        try collector.flush(to: next)
        try sideOutputs.flush()
    }
}

extension KeyedProcessNode: CheckpointParticipant {
    var checkpointID: String { "\(nodeID):process" }

    func snapshotScalar() -> [UInt8]? {
        WatermarkSnapshot.encode(timers.currentWatermark)
    }

    /// The function's state, then the timers. When either part throws, the changes of the part
    /// that succeeded are forgotten already, so the next snapshot after a failed one must be full.
    func snapshotKeyed(changesOnly: Bool, into body: (KeyedStateEntry) throws -> Void) throws {
        try backend.snapshotEntries(changesOnly: changesOnly, into: body)
        try timers.snapshotEntries(changesOnly: changesOnly, keyCodec: try requireKeyCodec(), operatorName: name, into: body)
    }

    func restoreScalar(_ bytes: [UInt8]) throws {
        timers.currentWatermark = try WatermarkSnapshot.decode(bytes)
    }

    func restoreKeyed(_ entry: KeyedStateEntry) throws {
        if entry.state == ReservedStateName.timers {
            timers.applyEntry(entry.payload, to: try requireKeyCodec().deserialize(entry.key))
        } else {
            try backend.applyEntry(entry)
        }
    }

    func finishRestore() throws {
        try timers.finishRestore()
    }

    private func requireKeyCodec() throws -> any Codec<Key> {
        guard let keyCodec else { throw StateError.notSnapshottable("the keys of operator '\(name)'") }
        return keyCodec
    }
}
