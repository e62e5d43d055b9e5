import Logging

/// How a checkpoint happens on an exactly-once worker: a two-phase commit whose coordinator is
/// the worker and whose decision record is the worker's Kafka transaction, which commits every
/// task's state, the outputs derived from its input, and its input position at once.
///
/// One checkpoint, with every task stopped at a batch boundary (the worker runs it between
/// rounds):
///
/// ``prepare(tasks:)``, phase one:
/// 1. every task's ``TwoPhaseCommitParticipant``s prepare (sink writers and repartition senders
///    flush, a database sink prepares its transaction) and pre-commit what recovery needs;
/// 2. each task snapshots its state participants and appends the pieces to its partition of the
///    checkpoint topic (``TaskCheckpointer``); a task that did nothing since its last checkpoint
///    keeps it;
/// 3. the checkpoint log is flushed, which gives every piece its offset;
/// 4. each task appends a manifest naming its pieces by offset and holding its participants'
///    pre-commits; the log is flushed again, which gives each manifest's offset and so the
///    task's checkpoint pointer.
///
/// ``commit(_:tasks:)``, the decision and phase two:
/// 5. the commit point commits the transaction with, as consumer offsets (KIP-447), every
///    checkpointed task's input position and pointer (manifest offset + 1);
/// 6. every checkpointed task's participants commit (a database sink commits its prepared
///    transaction);
/// 7. ``begin(tasks:)`` opens the next transaction: a short one first announces the checkpoint
///    (each task's ``CheckpointConfirmation``, tombstones for records no committed manifest names
///    any more, the repartition senders' commit markers) and commits at once.
///
/// A failure before step 5 leaves the transaction to ``abort(reason:tasks:)``; the worker then
/// rewinds every task to the checkpoint ``committedPointers`` names. A commit in step 5 that
/// fails may still have committed (its outcome can be unknown), so the abort that follows
/// leaves the participants' staged work alone: their recovery, told which checkpoint the task
/// resumes from, finishes or rolls it back. A failure in step 6 is
/// retried the same way: the rebuilt tasks' participants finish the work in
/// ``TwoPhaseCommitParticipant/recover(_:)``, named by the manifest the transaction committed.
final class CheckpointCoordinator {
    /// Its lines carry the job's and the worker's metadata (set by the worker).
    var logger = Logger(label: "sluice.checkpoint")
    private let commitPoint: any CommitPoint
    private let log: any CheckpointLog
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
    /// Whether a commit of the decision was attempted and did not return: it may have committed,
    /// so the participants' staged work is left to their recovery, never aborted.
    private var decisionInDoubt = false
    private(set) var committedCount = 0

    /// A checkpoint whose first phase is done: what the transaction will commit.
    struct Prepared {
        /// The tasks that checkpoint, with their attempts and pre-commits.
        var staged: [(task: Task, attempt: CheckpointAttempt, preCommitted: [CheckpointManifest.ScalarState])]
        /// Input positions and checkpoint pointers to commit.
        var positions: [Split: Int64]
        var pointers: [TaskID: Int64]
        var bytes: Int
        var entries: Int
        var fullSnapshots: Int
        var started: ContinuousClock.Instant
    }

    init(commitPoint: any CommitPoint, log: any CheckpointLog, observer: (@Sendable (CheckpointEvent) -> Void)?,
         metrics: WorkerMetrics? = nil) {
        self.metrics = metrics
        self.commitPoint = commitPoint
        self.log = log
        self.observer = observer
    }

    // MARK: Transactions

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
        try flushLog("flushing commit markers")
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
            try flushLog("flushing checkpoint confirmations")
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

    // MARK: Phase one

    /// Prepares a checkpoint of `tasks` (steps 1–4). Returns `nil` when no task had anything to
    /// checkpoint and the transaction holds nothing: nothing needs committing, and the
    /// transaction stays open.
    func prepare(tasks: [Task]) throws -> Prepared? {
        precondition(transactionOpen, "no transaction is open")
        let clock = ContinuousClock()
        var prepared = Prepared(
            staged: [], positions: [:], pointers: [:], bytes: 0, entries: 0, fullSnapshots: 0, started: clock.now)
        var attempts: [(Task, CheckpointAttempt, [CheckpointManifest.ScalarState])] = []
        for task in tasks {
            let attempt = task.context.currentAttempt
            var preCommitted: [CheckpointManifest.ScalarState] = []
            for participant in task.context.commitParticipants {
                do {
                    try participant.prepare(attempt)
                    if let bytes = try participant.preCommit(attempt) {
                        preCommitted.append(.init(participant: participant.participantID, bytes: bytes))
                    }
                } catch {
                    throw JobError.connectorFailed("preparing \(participant.participantID) of \(task.id) for checkpoint", underlying: error)
                }
            }
            attempts.append((task, attempt, preCommitted))
        }
        for (task, attempt, preCommitted) in attempts {
            guard let checkpointer = task.checkpointer else { continue }
            let mustCheckpoint = task.wroteSinceCommit || !preCommitted.isEmpty
            if try checkpointer.stagePieces(
                participants: task.context.participants, position: task.head.inputPosition, mustCheckpoint: mustCheckpoint,
                log: log)
            {
                prepared.staged.append((task, attempt, preCommitted))
                prepared.bytes += checkpointer.stagedBytes
            }
        }
        guard !prepared.staged.isEmpty || beganWithWrites else { return nil }
        observer?(.piecesStaged(tasks: prepared.staged.count, bytes: prepared.bytes))
        try flushLog("flushing snapshot pieces")
        for (task, _, preCommitted) in prepared.staged {
            try task.checkpointer!.appendManifest(lineage: task.context.lineage, preCommitted: preCommitted, log: log)
        }
        try flushLog("flushing checkpoint manifests")
        observer?(.manifestsWritten(tasks: prepared.staged.count))
        for (task, _, _) in prepared.staged {
            let checkpointer = task.checkpointer!
            let pointer = try checkpointer.stagedPointer()
            prepared.pointers[task.id] = pointer
            prepared.positions[checkpointer.split] = pointer
            if let manifest = checkpointer.stagedManifest {
                if let input = manifest.input, let position = manifest.inputPosition { prepared.positions[input] = position }
                prepared.entries += Int(manifest.checkpointEntries)
                if manifest.isFull { prepared.fullSnapshots += 1 }
            }
        }
        return prepared
    }

    // MARK: Decision and phase two

    /// Commits the prepared checkpoint (step 5) and tells the participants (step 6). The next
    /// transaction is left for ``begin(tasks:)``.
    @discardableResult
    func commit(_ prepared: Prepared, tasks: [Task]) throws -> CheckpointReport {
        let clock = ContinuousClock()
        let committing = clock.now
        decisionInDoubt = true
        do {
            try commitPoint.commit(Commit(positions: prepared.positions))
        } catch {
            throw JobError.connectorFailed("committing checkpoint", underlying: error)
        }
        decisionInDoubt = false
        metrics?.committed(in: clock.now - committing)
        transactionOpen = false
        for (task, _, _) in prepared.staged {
            if let manifest = task.checkpointer!.stagedManifest { task.metrics?.setStateBytes(manifest.chainBytes) }
            task.checkpointer!.committed()
            task.context.lineage.committed()
            committedPointers[task.id] = prepared.pointers[task.id]
        }
        for task in tasks {
            for participant in task.context.transactionParticipants { participant.transactionCommitted() }
        }
        committedCount += 1
        var sequences: [TaskID: (sequence: UInt64, pointer: Int64)] = [:]
        for (task, _, _) in prepared.staged {
            sequences[task.id] = (task.context.lineage.lastCommitted?.sequence ?? 0, prepared.pointers[task.id]!)
        }
        let report = CheckpointReport(
            number: committedCount, tasks: prepared.staged.count, fullSnapshots: prepared.fullSnapshots,
            bytes: prepared.bytes, entries: prepared.entries, duration: clock.now - prepared.started, sequences: sequences)
        metrics?.checkpointCommitted(report)
        observer?(.committed(report))
        for (task, attempt, preCommitted) in prepared.staged {
            for participant in task.context.commitParticipants {
                let bytes = preCommitted.first { $0.participant == participant.participantID }?.bytes
                do {
                    try participant.commit(attempt, preCommitted: bytes)
                } catch {
                    throw JobError.connectorFailed(
                        "committing \(participant.participantID) of \(task.id) after checkpoint \(attempt.sequence) committed",
                        underlying: error)
                }
            }
        }
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
        try flushLog("flushing the last commit markers")
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

    /// Aborts the open transaction, if any, and every participant's staged work. An abort that
    /// fails leaves the producer unable to begin the next transaction, and that failure then
    /// names the cause; a transaction left open is aborted by the broker when the next instance
    /// of the worker initializes.
    func abort(reason: String, tasks: [Task]) {
        for task in tasks {
            task.checkpointer?.aborted()
            guard !decisionInDoubt else { continue }
            let attempt = task.context.currentAttempt
            for participant in task.context.commitParticipants { participant.abort(attempt) }
        }
        decisionInDoubt = false
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

    private func flushLog(_ what: String) throws {
        do {
            try log.flush()
        } catch {
            throw JobError.connectorFailed(what, underlying: error)
        }
    }
}
