/// A part of a task that writes into the worker's transaction by itself, outside the batches
/// it processes: a repartition sender, which opens every transaction with commit markers.
///
/// The runtime calls it on the driver thread while no task runs.
protocol TransactionParticipant: AnyObject {
    /// A transaction began; write what must precede the task's records in it. Returns whether
    /// it wrote anything.
    func transactionBegan() throws -> Bool

    /// Whether the task wrote records since the last commit that its checkpoint must account
    /// for: a task that wrote must checkpoint, or its records would carry a sequence that no
    /// checkpoint of it ever commits.
    var wroteSinceCommit: Bool { get }

    /// The transaction committed (with or without a checkpoint of this task).
    func transactionCommitted()
}
