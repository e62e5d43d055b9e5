import Logging

/// The ``CommitStrategy`` of at-least-once and of no guarantee: commits, per split, the position
/// after the last record the whole job has handled, through the commit point.
///
/// At-least-once first lets every task's participants flush (their
/// ``TwoPhaseCommitParticipant/prepare(_:)``), so no position is committed before the output
/// derived from it is durable; a crash then replays what followed the last commit. Without a
/// guarantee the positions go first and the output is flushed after.
final class PositionCommits: CommitStrategy {
    private let commitPoint: any CommitPoint
    private let flushesFirst: Bool
    private let metrics: WorkerMetrics?
    /// Per split, the position after the last fully handled record, and the last committed.
    private var handled: [Split: Int64] = [:]
    private var committed: [Split: Int64] = [:]

    /// - Parameter guarantee: ``DeliveryGuarantee/atLeastOnce`` or ``DeliveryGuarantee/none``.
    init(commitPoint: any CommitPoint, guarantee: DeliveryGuarantee, metrics: WorkerMetrics?) {
        self.commitPoint = commitPoint
        flushesFirst = guarantee == .atLeastOnce
        self.metrics = metrics
    }

    var checkpointsState: Bool { false }

    func begin(tasks: [Task]) throws {
        try commitPoint.begin()
    }

    /// Positions need no transaction: nothing to join.
    func tasksJoined(_ joined: [Task], all: [Task]) throws {}

    func roundHandled(_ positions: [Split: Int64]) {
        handled.merge(positions) { max($0, $1) }
    }

    func prepare(tasks: [Task]) throws -> PreparedCommit? {
        let moved = handled.filter { split, position in committed[split].map { position > $0 } ?? true }
        var attempts: [(task: Task, attempt: CheckpointAttempt, preCommitted: [CheckpointManifest.ScalarState])] = []
        for task in tasks {
            attempts.append((task, task.context.currentAttempt, flushesFirst ? try prepareParticipants(of: task) : []))
        }
        return .positions(moved, attempts: attempts)
    }

    func commit(_ prepared: PreparedCommit, tasks: [Task]) throws -> Bool {
        guard case .positions(let moved, var attempts) = prepared else {
            preconditionFailure("a worker without checkpoints prepared a checkpoint")
        }
        if !moved.isEmpty {
            do {
                let clock = ContinuousClock()
                let started = clock.now
                try commitPoint.commit(Commit(positions: moved))
                metrics?.committed(in: clock.now - started)
                try commitPoint.begin()
            } catch {
                throw JobError.connectorFailed("commit", underlying: error)
            }
            committed.merge(moved) { max($0, $1) }
        }
        if !flushesFirst {
            for index in attempts.indices { attempts[index].preCommitted = try prepareParticipants(of: attempts[index].task) }
        }
        for (task, attempt, preCommitted) in attempts {
            for participant in task.context.commitParticipants {
                let bytes = preCommitted.first { $0.participant == participant.participantID }?.bytes
                do {
                    try participant.commit(attempt, preCommitted: bytes)
                } catch {
                    throw JobError.connectorFailed("committing \(participant.participantID) of \(task.id)", underlying: error)
                }
            }
            task.context.lineage.committed()
        }
        return !moved.isEmpty
    }

    private func prepareParticipants(of task: Task) throws -> [CheckpointManifest.ScalarState] {
        let attempt = task.context.currentAttempt
        var preCommitted: [CheckpointManifest.ScalarState] = []
        for participant in task.context.commitParticipants {
            do {
                try participant.prepare(attempt)
                if let bytes = try participant.preCommit(attempt) {
                    preCommitted.append(.init(participant: participant.participantID, bytes: bytes))
                }
            } catch {
                throw JobError.connectorFailed("flushing \(participant.participantID) of \(task.id)", underlying: error)
            }
        }
        return preCommitted
    }

    func abort(reason: String, tasks: [Task]) {
        for task in tasks {
            let attempt = task.context.currentAttempt
            for participant in task.context.commitParticipants { participant.abort(attempt) }
        }
        try? commitPoint.abort()
    }

    func tasksLeft(_ tasks: [Task]) {
        for task in tasks {
            if let split = task.split { handled[split] = nil }
        }
    }

    func knownPointer(of task: TaskID) -> Int64? { nil }

    func finish(tasks: [Task]) throws {}

    /// Earlier rounds were fully handled: committing them is safe and spares a replay. The
    /// original failure is what the caller reports; a second one is only logged.
    func stopFailing(_ error: any Error, tasks: [Task], logger: Logger) {
        do {
            if let prepared = try prepare(tasks: tasks) { _ = try commit(prepared, tasks: tasks) }
        } catch let secondary {
            logger.warning("committing completed rounds after a failure: \(secondary)")
        }
    }
}
