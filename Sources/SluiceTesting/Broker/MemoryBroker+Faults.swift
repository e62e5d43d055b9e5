import Sluice

extension MemoryBroker {
    /// An injected failure of a commit: the transaction aborted instead, as after a broker
    /// error. The worker rewinds to its last committed checkpoint and goes on.
    public struct InjectedFailure: ConnectorError, CustomStringConvertible, Equatable {
        /// The commit that failed, numbered from 1 over the broker's life.
        public var commit: Int
        /// `false`: a worker recovers from it.
        public var isFatal: Bool { false }
        /// `injected failure of commit #N`.
        public var description: String { "injected failure of commit #\(commit)" }
    }

    /// An injected crash during a commit: the transaction aborted and the worker's process is
    /// gone, as after a SIGKILL. Nothing the worker did after its last commit survives; a new
    /// worker recovers from what was committed.
    public struct InjectedCrash: ConnectorError, CustomStringConvertible, Equatable {
        /// The commit during which the worker crashed, numbered from 1 over the broker's life.
        public var commit: Int
        /// The crashed worker's transactional id.
        public var transactionalID: String
        /// `true`: the worker stops.
        public var isFatal: Bool { true }
        /// `injected crash of <transactional id> at commit #N`.
        public var description: String { "injected crash of \(transactionalID) at commit #\(commit)" }
    }

    /// Makes the transactional commits numbered `commits` (from 1 over the broker's life, every
    /// producer's counted) abort with ``InjectedFailure``.
    public func failCommits(_ commits: Set<Int>) {
        withState { $0.failingCommits.formUnion(commits) }
    }

    /// Makes the producer that makes transactional commit number `commit` crash during it
    /// (``InjectedCrash``).
    public func crashAtCommit(_ commit: Int) {
        withState { $0.crashingCommits.insert(commit) }
    }

    /// Makes the next commit of the producer with `transactionalID` crash during it
    /// (``InjectedCrash``), whenever that comes.
    public func crashAtNextCommit(of transactionalID: String) {
        withState { $0.crashingProducers.insert(transactionalID) }
    }

    /// Makes checkpoint logs' reads of `topics` fail with ``MemoryBrokerError/unreachable(topic:partition:)``,
    /// as reads fail while a broker is away, until ``makeReachable(_:)``; writes go on.
    public func makeUnreachable(_ topics: Set<String>) {
        withState { $0.unreachableTopics.formUnion(topics) }
    }

    /// Ends ``makeUnreachable(_:)`` for `topics`.
    public func makeReachable(_ topics: Set<String>) {
        withState { $0.unreachableTopics.subtract(topics) }
    }

    /// Throws ``MemoryBrokerError/unreachable(topic:partition:)`` when reads of `split`'s topic
    /// fail.
    func checkReachable(_ split: Split) throws {
        if withState({ $0.unreachableTopics.contains(split.topic) }) {
            throw MemoryBrokerError.unreachable(topic: split.topic, partition: split.partition)
        }
    }

    /// Transactional commits tried so far, failed and crashed ones included.
    public var commitCount: Int {
        withState { $0.commits }
    }
}
