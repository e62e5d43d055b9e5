/// Where a job's records come from: a set of splits, each an ordered sequence of records at
/// increasing offsets.
///
/// ## How the runtime drives a source
///
/// Every call happens on the worker's **driver thread** (the thread that called
/// ``Job/run()``), never concurrently, so an implementation needs no locking of its own:
///
/// 1. ``splits()`` once while the job is planned and again when the worker joins, to learn the
///    partition count and the splits a static ``Membership`` hands out.
/// 2. ``assign(_:)`` when the worker has built the tasks of splits its ``Membership`` assigned
///    (restoring each from its checkpoint): each split starts at the position its checkpoint
///    names, or at the source's own start position (committed offset, earliest, latest, a
///    time) when it has none; sources that keep no positions of their own get the position the
///    job last committed instead (``startsAtCommittedPosition``).
/// 3. ``poll(maxRecords:timeout:into:)`` in a loop. Between two polls, every record of the
///    previous batch has gone through the whole job (processed, skipped or dead-lettered).
/// 4. ``seek(_:to:)`` between polls, when the worker rewinds a task to its last committed
///    checkpoint after an abort.
/// 5. ``revoke(_:)`` after the worker has checkpointed (or committed the positions of) the
///    revoked splits and dropped their tasks.
/// 6. ``close()`` once, after the final commit.
///
/// The source never commits anything itself: the runtime tracks, per split, the offset after
/// the last fully handled record and gives those positions to the ``CommitPoint``, so no
/// position is ever committed past an unhandled record.
///
/// A Kafka source uses ``SourceRecord`` as its `Element` and one split per topic partition; it
/// is also the job's ``Membership``, whose rebalance callbacks only record what changed.
public protocol Source<Element>: AnyObject {
    /// What one record of this source is: ``SourceRecord`` for byte sources, the typed value for
    /// in-process ones.
    associatedtype Element

    /// A name for plans and error messages, such as the topic list.
    var name: String { get }

    /// Whether the source ends. A job whose sources are all bounded stops by itself after a
    /// final watermark once every split has ended.
    var isBounded: Bool { get }

    /// Whether records live only inside this process (collections, generators). The planner
    /// uses in-process hash exchanges for jobs whose sources are all in-process, and Kafka
    /// repartition topics otherwise.
    var isInProcess: Bool { get }

    /// Whether a split that starts without a checkpoint starts where the job last committed it:
    /// the runtime then reads the position from its ``CommitPoint`` and passes it in
    /// ``SplitStart/position`` (`nil` when none was committed). For sources that keep no
    /// positions of their own, such as files; a Kafka source reads its group's committed offsets
    /// itself.
    var startsAtCommittedPosition: Bool { get }

    /// Every split the source can read, such as all partitions of the subscribed topics.
    func splits() throws -> [Split]

    /// Starts reading splits, each at its ``SplitStart/position`` or, when that is `nil`, at the
    /// source's own start position.
    func assign(_ splits: [SplitStart]) throws

    /// Moves the read position of an assigned split so the next record returned is at `offset`.
    func seek(_ split: Split, to offset: Int64) throws

    /// Stops reading `splits`; the runtime has already checkpointed or committed them, or
    /// (lost splits) gave up their uncommitted work.
    func revoke(_ splits: [Split]) throws

    /// Appends up to `maxRecords` records of assigned splits to `batch`, which arrives empty,
    /// waiting at most `timeout` when none is ready. Bounded sources report ended splits with
    /// ``SourceBatch/markEnded(_:)`` exactly once.
    func poll(maxRecords: Int, timeout: Duration, into batch: inout SourceBatch<Element>) throws

    /// Releases the source's resources after the final commit.
    func close()
}

extension Source {
    /// `false`: a source lives outside the process unless it says otherwise.
    public var isInProcess: Bool { false }

    /// `false`: a source starts splits without a checkpoint by its own policy.
    public var startsAtCommittedPosition: Bool { false }

    /// Does nothing, for sources that hold no resources.
    public func close() {}
}
