import BrokerRig
import Foundation
import Sluice
import SluicePostgres

/// Drives one task's writer of a ``PostgresSink`` through the two-phase contract the way the
/// worker does, with attempts named as the engine names them.
struct WriterHarness<Element> {
    let sink: PostgresSink<Element>
    let job: String
    let task: TaskID
    let guarantee: DeliveryGuarantee

    init(sink: PostgresSink<Element>, job: String = "pg-test", task: TaskID = TaskID(stage: 1, partition: 0),
         guarantee: DeliveryGuarantee = .exactlyOnce) {
        self.sink = sink
        self.job = job
        self.task = task
        self.guarantee = guarantee
    }

    /// A new writer of the task (as when the task is built), not yet recovered.
    func makeWriter() throws -> any SinkWriter<Element> {
        try sink.makeWriter(for: SinkTaskContext(job: job, task: task, worker: "w-0", guarantee: guarantee, participantID: "sink-1"))
    }

    /// Attempt `sequence` of incarnation `incarnation`.
    func attempt(_ sequence: UInt64, incarnation: UInt64 = 1) -> CheckpointAttempt {
        CheckpointAttempt(job: job, task: task, sequence: sequence, incarnation: incarnation)
    }

    /// The recovery of a task resuming from `checkpoint` (or none), with what the writer
    /// pre-committed for it.
    func recovery(from checkpoint: CheckpointAttempt?, preCommitted: [UInt8]?) -> TaskRecovery {
        TaskRecovery(job: job, task: task, checkpoint: checkpoint, preCommitted: preCommitted)
    }

    /// One checkpoint that the job commits: prepare, pre-commit, commit. Returns the pre-commit.
    @discardableResult
    func checkpoint(_ writer: any SinkWriter<Element>, _ attempt: CheckpointAttempt) throws -> [UInt8]? {
        try writer.prepare(attempt)
        let bytes = try writer.preCommit(attempt)
        try writer.commit(attempt, preCommitted: bytes)
        return bytes
    }
}

extension TestPostgres {
    /// The names of the prepared transactions on the server, sorted.
    func preparedTransactions() throws -> [String] {
        try query("SELECT gid FROM pg_prepared_xacts ORDER BY gid").compactMap { $0.first ?? nil }
    }

    /// `SELECT count(*) FROM table`.
    func count(_ table: String) throws -> Int {
        guard let text = try query("SELECT count(*) FROM \(table)").first?.first ?? nil, let count = Int(text) else {
            throw BrokerRigError.postgresFailed("no count of \(table)")
        }
        return count
    }

    /// The rows of `sql`, each as its columns joined by tabs (`NULL` for nulls), sorted.
    func lines(_ sql: String) throws -> [String] {
        try query(sql).map { $0.map { $0 ?? "NULL" }.joined(separator: "\t") }.sorted()
    }
}
