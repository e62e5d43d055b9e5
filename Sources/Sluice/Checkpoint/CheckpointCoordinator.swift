import Logging

/// How a checkpoint happens on an exactly-once worker: every task's state, the outputs derived
/// from its input, and its input position, committed in one transaction of the worker's
/// producer.
///
/// One checkpoint, with every task stopped at a batch boundary (the driver runs it between
/// rounds, or inside a rebalance callback, which also comes between rounds):
/// 1. each task snapshots its participants and appends the pieces to its partition of the
///    checkpoint topic (``TaskCheckpointer``); idle tasks keep their earlier checkpoint;
/// 2. sinks, repartition topics and the checkpoint log are flushed: every record of the
///    transaction is durable and every piece has an offset;
/// 3. each task appends a manifest naming its pieces by offset; the log is flushed again;
/// 4. the commit point commits the transaction with, as consumer offsets (KIP-447), every
///    checkpointed task's input position and its checkpoint pointer (manifest offset + 1);
/// 5. a short transaction announces the checkpoint and commits at once: each checkpointed task
///    confirms it in its partition (``CheckpointConfirmation``) and tombstones records no
///    committed manifest names any more; repartition senders write their commit markers. Then
///    the next checkpoint's transaction begins.
///
/// A failure anywhere before the commit leaves the transaction to ``abort(reason:tasks:)``;
/// the worker then rewinds every task to the checkpoint ``committedPointers`` names.
final class CheckpointCoordinator {
    /// Its lines carry the job's and the worker's metadata (set by ``Job``).
    var logger = Logger(label: "sluice.checkpoint")
    private let commitPoint: any CommitPoint
    private let log: any CheckpointLog
    private let flushOutputs: () throws -> Void
    private let observer: (@Sendable (CheckpointEvent) -> Void)?
    private let metrics: WorkerMetrics?
    /// The pointer of every task's last committed checkpoint known to this worker: committed by
    /// it, or restored by it. A rewind restores from these, which does not need the broker to
    /// have kept offsets committed in transactions (librdkafka's mock clusters do not).
    private(set) var committedPointers: [TaskID: Int64] = [:]
    /// Whether a transaction is open.
    private(set) var transactionOpen = false
    /// Whether the open transaction holds records written when it began (markers, tombstones),
    /// which must not stay in an open transaction for long.
    private var beganWithWrites = false
    private(set) var committedCount = 0

    init(commitPoint: any CommitPoint, log: any CheckpointLog, observer: (@Sendable (CheckpointEvent) -> Void)?,
         metrics: WorkerMetrics? = nil, flushOutputs: @escaping () throws -> Void) {
        self.metrics = metrics
        self.commitPoint = commitPoint
        self.log = log
        self.observer = observer
        self.flushOutputs = flushOutputs
    }

    /// Begins the next transaction, after announcing the checkpoint just committed.
    ///
    /// What announces it (each task's confirmation, the repartition senders' commit markers)
    /// goes into a short transaction of its own that commits at once: a downstream task applies
    /// an upstream's records only on its marker, and a read_committed reader sees the marker
    /// only once the transaction holding it committed, so a marker riding in the next checkpoint's
    /// transaction would cost every exchange a second checkpoint interval of latency.
    func begin(tasks: [Task]) throws {
        try open()
        try join(tasks)
        guard beganWithWrites else { return }
        try flush()
        do {
            try commitPoint.commit(Commit(positions: [:]))
        } catch {
            throw JobError.connectorFailed("committing commit markers", underlying: error)
        }
        transactionOpen = false
        for task in tasks {
            for participant in task.context.transactionParticipants { participant.transactionCommitted() }
        }
        try open()
    }

    private func open() throws {
        precondition(!transactionOpen, "a transaction is already open")
        do {
            try commitPoint.begin()
        } catch {
            throw JobError.connectorFailed("beginning a transaction", underlying: error)
        }
        transactionOpen = true
        beganWithWrites = false
    }

    /// Lets tasks created while a transaction is open (assigned splits) write what opens it.
    ///
    /// Confirmations of the checkpoint just committed go first and are flushed at once: until
    /// they reach the broker, a worker that restores one of these tasks on a broker showing
    /// transactional offsets late would find only the older pointer.
    func join(_ tasks: [Task]) throws {
        guard transactionOpen else { return }
        var confirmed = false
        for task in tasks {
            if try task.checkpointer?.openTransaction(log: log) == true { confirmed = true }
        }
        if confirmed {
            beganWithWrites = true
            do {
                try log.flush()
            } catch {
                throw JobError.connectorFailed("flushing checkpoint confirmations", underlying: error)
            }
        }
        for task in tasks {
            for participant in task.context.transactionParticipants {
                if try participant.transactionBegan() { beganWithWrites = true }
            }
        }
    }

    /// A task was restored from the checkpoint `pointer` names.
    func restored(_ task: TaskID, pointer: Int64) {
        committedPointers[task] = pointer
    }

    /// Checkpoints `tasks` and commits. Returns `nil` when no task had anything to checkpoint
    /// and the transaction holds nothing, so nothing was committed and it stays open.
    ///
    /// `mayCommit` is asked right before the commit; when it says no (the worker may have lost
    /// its splits), the checkpoint throws ``CheckpointError/ownershipInDoubt`` instead, and the
    /// caller aborts.
    @discardableResult
    func checkpoint(tasks: [Task], mayCommit: () -> Bool = { true }) throws -> CheckpointReport? {
        precondition(transactionOpen, "no transaction is open")
        let clock = ContinuousClock()
        let started = clock.now
        var staged: [Task] = []
        var bytes = 0
        for task in tasks {
            guard let checkpointer = task.checkpointer else { continue }
            if try checkpointer.stagePieces(
                participants: task.context.participants, position: task.head.inputPosition,
                wroteRecords: task.wroteSinceCommit, log: log)
            {
                staged.append(task)
                bytes += checkpointer.stagedBytes
            }
        }
        guard !staged.isEmpty || beganWithWrites else { return nil }
        observer?(.piecesStaged(tasks: staged.count, bytes: bytes))
        try flush()
        for task in staged {
            try task.checkpointer!.appendManifest(lineage: task.context.lineage, log: log)
        }
        do {
            try log.flush()
        } catch {
            throw JobError.connectorFailed("flushing checkpoint manifests", underlying: error)
        }
        observer?(.manifestsWritten(tasks: staged.count))
        var positions: [Split: Int64] = [:]
        var pointers: [TaskID: Int64] = [:]
        var entries = 0
        var full = 0
        for task in staged {
            let checkpointer = task.checkpointer!
            let pointer = try checkpointer.stagedPointer()
            pointers[task.id] = pointer
            positions[checkpointer.split] = pointer
            if let manifest = checkpointer.stagedManifest {
                if let input = manifest.input, let position = manifest.inputPosition { positions[input] = position }
                entries += Int(manifest.checkpointEntries)
                if manifest.isFull { full += 1 }
            }
        }
        guard mayCommit() else { throw CheckpointError.ownershipInDoubt }
        let committing = clock.now
        do {
            try commitPoint.commit(Commit(positions: positions))
        } catch {
            throw JobError.connectorFailed("committing checkpoint", underlying: error)
        }
        metrics?.committed(in: clock.now - committing)
        transactionOpen = false
        for task in staged {
            if let manifest = task.checkpointer!.stagedManifest { task.metrics?.setStateBytes(manifest.chainBytes) }
            task.checkpointer!.committed()
            task.context.lineage.committed()
            committedPointers[task.id] = pointers[task.id]
        }
        for task in tasks {
            for participant in task.context.transactionParticipants { participant.transactionCommitted() }
        }
        committedCount += 1
        var sequences: [TaskID: (sequence: UInt64, pointer: Int64)] = [:]
        for task in staged { sequences[task.id] = (task.context.lineage.lastCommitted?.sequence ?? 0, pointers[task.id]!) }
        let report = CheckpointReport(
            number: committedCount, tasks: staged.count, fullSnapshots: full, bytes: bytes, entries: entries,
            duration: clock.now - started, sequences: sequences)
        metrics?.checkpointCommitted(report)
        observer?(.committed(report))
        return report
    }

    /// Commits what the open transaction holds without checkpointing any task (the commit
    /// markers a stopping worker owes its downstream tasks), or aborts it when it holds nothing.
    func finish(tasks: [Task]) throws {
        guard transactionOpen else { return }
        guard beganWithWrites else {
            abort(reason: "worker stops", tasks: tasks)
            return
        }
        try flush()
        do {
            try commitPoint.commit(Commit(positions: [:]))
        } catch {
            throw JobError.connectorFailed("committing the last commit markers", underlying: error)
        }
        transactionOpen = false
        for task in tasks {
            for participant in task.context.transactionParticipants { participant.transactionCommitted() }
        }
    }

    /// Aborts the open transaction, if any. An abort that fails leaves the producer unable to
    /// begin the next transaction, and that failure then names the cause; a transaction left
    /// open is aborted by the broker when the next instance of the worker initializes.
    func abort(reason: String, tasks: [Task]) {
        for task in tasks { task.checkpointer?.aborted() }
        guard transactionOpen else { return }
        transactionOpen = false
        beganWithWrites = false
        metrics?.checkpointAborted()
        observer?(.aborted(reason: reason))
        do {
            try commitPoint.abort()
        } catch {
            logger.warning("aborting the transaction (\(reason)): \(error)")
        }
    }

    /// Forgets tasks that left the worker.
    func forget(_ tasks: [TaskID]) {
        for task in tasks { committedPointers[task] = nil }
    }

    private func flush() throws {
        try flushOutputs()
        do {
            try log.flush()
        } catch {
            throw JobError.connectorFailed("flushing snapshot pieces", underlying: error)
        }
    }
}
