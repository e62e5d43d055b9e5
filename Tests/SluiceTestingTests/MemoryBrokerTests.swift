import XCTest
import Sluice
import SluiceTesting

/// The in-memory broker as the brokers Sluice runs on behave: what each read isolation hands
/// out around open, committed and aborted transactions; producers fenced by a newer instance
/// of their transactional id; transactional offsets shown at commit, late or never, and refused
/// for a member the group no longer counts; injected failures and crashes; refusals that name
/// what was wrong.
final class MemoryBrokerTests: XCTestCase {
    private let split = Split(topic: "t", partition: 0)

    private func values(_ records: [MemoryRecord]) -> [String] {
        records.map { String(decoding: $0.value ?? [], as: UTF8.self) }
    }

    /// Offsets 0: plain, 1–2: committed, 3–4: aborted, 5: plain, 6–7: open, 8: plain.
    private func mixedLog(isolation: MemoryBroker.ReadIsolation) throws -> MemoryBroker {
        let broker = MemoryBroker(isolation: isolation)
        try broker.createTopic("t", partitions: 1)
        let committer = broker.producer(transactionalID: "committer")
        let aborter = broker.producer(transactionalID: "aborter")
        let holder = broker.producer(transactionalID: "holder")
        func plain(_ value: String) throws { try broker.append("t", partition: 0, key: nil, value: Array(value.utf8), timestamp: 0) }
        func send(_ producer: MemoryTransactionalProducer, _ value: String) throws {
            try producer.send("t", partition: 0, key: nil, value: Array(value.utf8), timestamp: 0)
        }
        try plain("p0")
        try committer.begin()
        try send(committer, "c1")
        try send(committer, "c2")
        try committer.commit(offsets: [:], group: nil)
        try aborter.begin()
        try send(aborter, "a3")
        try send(aborter, "a4")
        try aborter.abort()
        try plain("p5")
        try holder.begin()
        try send(holder, "o6")
        try send(holder, "o7")
        try plain("p8")
        return broker
    }

    func testEachIsolationHandsOutWhatItsBrokerDoes() throws {
        let uncommitted = try mixedLog(isolation: .readUncommitted)
        XCTAssertEqual(values(uncommitted.fetch(split, from: 0, max: 100).records), ["p0", "c1", "c2", "a3", "a4", "p5", "o6", "o7", "p8"],
                       "the mocks: everything")
        let tansu = try mixedLog(isolation: .lastStableOffset)
        let (stable, next) = tansu.fetch(split, from: 0, max: 100)
        XCTAssertEqual(values(stable), ["p0", "c1", "c2", "a3", "a4", "p5"], "Tansu: aborted records, up to the open transaction")
        XCTAssertEqual(next, 6, "the next fetch starts at the open transaction's first record")
        let kafka = try mixedLog(isolation: .readCommitted)
        let (committed, after) = kafka.fetch(split, from: 0, max: 100)
        XCTAssertEqual(values(committed), ["p0", "c1", "c2", "p5"], "Kafka: no aborted records, up to the open transaction")
        XCTAssertEqual(after, 6)
        XCTAssertEqual(values(kafka.fetch(split, from: 2, max: 2).records), ["c2", "p5"], "max counts the records handed out")
        XCTAssertEqual(values(uncommitted.readCommitted("t")), ["p0", "c1", "c2", "p5"], "readCommitted is Kafka's whatever the isolation")
        XCTAssertEqual(uncommitted.records(split).count, 9, "the log keeps every record")
        XCTAssertEqual(uncommitted.abortedTransactions, 1)

        // The open transaction ends: its records, and the plain one behind it, come through.
        let holder = kafka.producer(transactionalID: "holder")
        XCTAssertEqual(values(kafka.readCommitted("t")), ["p0", "c1", "c2", "p5", "p8"], "a new instance aborted the open transaction")
        try holder.begin()
        try holder.send("t", partition: 0, key: nil, value: Array("c9".utf8), timestamp: 0)
        try holder.commit(offsets: [:], group: nil)
        XCTAssertEqual(values(kafka.readCommitted("t")), ["p0", "c1", "c2", "p5", "p8", "c9"])
    }

    func testANewInstanceFencesTheOldOneAndAbortsItsOpenTransaction() throws {
        let broker = MemoryBroker()
        try broker.createTopic("out", partitions: 2)
        let old = broker.producer(transactionalID: "job-worker-0")
        try old.begin()
        let offset = try old.send("out", partition: 1, key: nil, value: [1], timestamp: 5)
        let record = try XCTUnwrap(broker.records(Split(topic: "out", partition: 1)).first)
        XCTAssertEqual(record.offset, offset)
        let transaction = try XCTUnwrap(record.transaction)
        XCTAssertEqual(broker.outcome(ofTransaction: transaction), .open)

        let new = broker.producer(transactionalID: "job-worker-0")
        XCTAssertEqual(broker.outcome(ofTransaction: transaction), .aborted)
        XCTAssertThrowsError(try old.send("out", partition: 0, key: nil, value: [2], timestamp: 0)) { error in
            XCTAssertEqual(error as? MemoryBrokerError, .fenced(transactionalID: "job-worker-0"))
            XCTAssertTrue((error as? MemoryBrokerError)?.isFatal ?? false)
        }
        XCTAssertThrowsError(try old.commit(offsets: [:], group: nil))
        XCTAssertThrowsError(try new.send("out", partition: 0, key: nil, value: [3], timestamp: 0)) { error in
            XCTAssertEqual(error as? MemoryBrokerError, .noOpenTransaction(transactionalID: "job-worker-0"))
        }
        try new.begin()
        XCTAssertThrowsError(try new.begin()) { error in
            XCTAssertEqual(error as? MemoryBrokerError, .transactionAlreadyOpen(transactionalID: "job-worker-0"))
        }
        try new.send("out", partition: 0, key: nil, value: [4], timestamp: 0)
        try new.commit(offsets: [:], group: nil)
        XCTAssertEqual(broker.readCommitted("out").map(\.value), [[4]])

        // A process that died: its open transaction aborts, and nothing it does counts.
        let dying = broker.producer(transactionalID: "job-worker-1")
        try dying.begin()
        try dying.send("out", partition: 0, key: nil, value: [5], timestamp: 0)
        dying.abandon()
        XCTAssertThrowsError(try dying.commit(offsets: [:], group: nil))
        XCTAssertEqual(broker.readCommitted("out").map(\.value), [[4]])
        XCTAssertEqual(broker.abortedTransactions, 2)
    }

    func testTransactionalOffsetsShowAtCommitLateOrNever() throws {
        let input = Split(topic: "in", partition: 0)
        for (visibility, shownAfter) in [(MemoryBroker.OffsetVisibility.immediate, 1), (.lagging(commits: 2), 3), (.never, nil)] {
            let broker = MemoryBroker(offsetVisibility: visibility)
            let producer = broker.producer(transactionalID: "p")
            for commit in 1...4 {
                try producer.begin()
                try producer.commit(offsets: commit == 1 ? [input: 10] : [:], group: "g")
                let shown = broker.group("g").committedOffsets(for: [input])[input]
                XCTAssertEqual(shown, shownAfter.map { commit >= $0 ? 10 : nil } ?? nil, "\(visibility) after commit \(commit)")
            }
            XCTAssertEqual(broker.commitCount, 4)
        }
        // Plain offset commits (an operator's reset) show at once on every broker.
        let broker = MemoryBroker(offsetVisibility: .never)
        broker.group("g").commitOffsets([input: 3])
        XCTAssertEqual(broker.group("g").committedOffsets(for: [input]), [input: 3])
    }

    func testAMemberTheGroupNoLongerCountsCannotCommitOffsets() throws {
        let broker = MemoryBroker()
        try broker.createTopic("in", partitions: 2)
        let group = broker.group("g")
        group.join("a", topics: ["in"])
        let producer = broker.producer(transactionalID: "g-a")
        try producer.begin()
        try producer.commit(offsets: [Split(topic: "in", partition: 0): 1], group: "g", member: "a")
        group.expireSession(of: "a")
        try producer.begin()
        try producer.send("in", partition: 0, key: nil, value: [1], timestamp: 0)
        XCTAssertThrowsError(try producer.commit(offsets: [Split(topic: "in", partition: 0): 2], group: "g", member: "a")) { error in
            XCTAssertEqual(error as? MemoryBrokerError, .notAGroupMember(group: "g", member: "a"))
            XCTAssertEqual((error as? MemoryBrokerError)?.isFatal, false, "a rewind answers it")
        }
        XCTAssertEqual(group.committedOffsets(for: [Split(topic: "in", partition: 0)]), [Split(topic: "in", partition: 0): 1])
        XCTAssertEqual(broker.readCommitted("in"), [], "the transaction aborted")
        try producer.begin()
        try producer.commit(offsets: [:], group: "g", member: "a")
    }

    func testInjectedFailuresAndCrashesAbortTheirCommit() throws {
        let broker = MemoryBroker()
        try broker.createTopic("out", partitions: 1)
        broker.failCommits([2])
        broker.crashAtCommit(4)
        let producer = broker.producer(transactionalID: "p")
        var outcomes: [String] = []
        for commit in 1...3 {
            try producer.begin()
            try producer.send("out", partition: 0, key: nil, value: [UInt8(commit)], timestamp: 0)
            do {
                try producer.commit(offsets: [:], group: nil)
                outcomes.append("committed")
            } catch let failure as MemoryBroker.InjectedFailure {
                XCTAssertFalse(failure.isFatal)
                outcomes.append("\(failure)")
            }
        }
        try producer.begin()
        XCTAssertThrowsError(try producer.commit(offsets: [:], group: nil)) { error in
            XCTAssertEqual((error as? MemoryBroker.InjectedCrash)?.commit, 4)
            XCTAssertEqual((error as? MemoryBroker.InjectedCrash)?.transactionalID, "p")
            XCTAssertEqual("\(error)", "injected crash of p at commit #4")
        }
        XCTAssertThrowsError(try producer.begin(), "the crashed producer is fenced")
        XCTAssertEqual(outcomes, ["committed", "injected failure of commit #2", "committed"])
        XCTAssertEqual(broker.readCommitted("out").map(\.value), [[1], [3]])

        let next = broker.producer(transactionalID: "q")
        broker.crashAtNextCommit(of: "q")
        try next.begin()
        XCTAssertThrowsError(try next.commit(offsets: [:], group: nil)) { error in
            XCTAssertEqual((error as? MemoryBroker.InjectedCrash)?.commit, 5)
        }
    }

    func testRefusalsNameTheTopicAndPartition() throws {
        let broker = MemoryBroker()
        XCTAssertThrowsError(try broker.append("nowhere", partition: 0, key: nil, value: nil, timestamp: 0)) { error in
            XCTAssertEqual(error as? MemoryBrokerError, .unknownTopic("nowhere"))
            XCTAssertEqual("\(error)", "the memory broker has no topic nowhere; create it first (MemoryBroker.createTopic, or the driver's input/output)")
        }
        try broker.createTopic("t", partitions: 2)
        XCTAssertNoThrow(try broker.createTopic("t", partitions: 2))
        XCTAssertThrowsError(try broker.createTopic("t", partitions: 3)) { error in
            XCTAssertEqual("\(error)", "topic t has 2 partitions; it cannot be created again with 3")
        }
        XCTAssertThrowsError(try broker.append("t", partition: 2, key: nil, value: nil, timestamp: 0)) { error in
            XCTAssertEqual("\(error)", "topic t has no partition 2 (it has 2)")
        }
        try broker.append("t", partition: 1, key: nil, value: nil, timestamp: 0)
        try broker.endTopic("t")
        XCTAssertTrue(broker.hasEnded("t"))
        XCTAssertThrowsError(try broker.append("t", partition: 1, key: nil, value: nil, timestamp: 0)) { error in
            XCTAssertEqual(error as? MemoryBrokerError, .topicEnded("t"))
        }
        XCTAssertEqual(broker.endOffset(Split(topic: "t", partition: 1)), 1)
        XCTAssertEqual(broker.topicNames, ["t"])
    }
}
