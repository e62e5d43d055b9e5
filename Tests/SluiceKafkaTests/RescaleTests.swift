import BrokerRig
import Foundation
import KafkaTestJobs
import RdKafka
import Sluice
import SluiceKafka
import XCTest

/// Rescaling an exactly-once keyed window job with state, on Tansu, while its input keeps
/// arriving: one worker process, then three, then two (one stopped gracefully with SIGTERM),
/// then one (one killed with SIGKILL). Every worker is its own process in the job's consumer
/// group (cooperative-sticky); tasks that move are restored from their committed checkpoints.
///
/// It checks, and prints with the numbers measured:
/// - each rebalance's pause on each worker (``RebalanceEvent``);
/// - cooperative rebalancing: while the splits the first worker gave up moved to the newcomers,
///   it kept processing the splits it kept (its record count moved), and it kept processing while
///   the killed worker's splits waited for the session timeout;
/// - a graceful stop hands over at once (well within the session timeout), and the new owners
///   restore exactly the checkpoints the leaving worker committed last;
/// - the killed worker's splits are restored elsewhere, from at least its last printed checkpoint;
/// - the output, read as read_committed (the raw-batch audit, since Tansu does not filter
///   aborted records), holds every window result exactly once with the right count and sum,
///   computed here from the input, and nothing else.
///
/// What no broker here can prove:
/// - how long a real Kafka cluster's group coordinator takes to notice a leave or an expired
///   session; the hand-over times printed are Tansu's;
/// - that the broker aborts the killed worker's open transaction once the transaction timeout
///   passed: Tansu never does (tried: a producer SIGKILLed inside a transaction with
///   `transaction.timeout.ms` 5 s; a read_committed reader saw nothing behind it for 90 s). Until
///   it ends, every read_committed reader of the repartition and output topics stands still
///   behind it, so the keyed stage of the survivor would wait forever. The test plays the
///   broker's part: once the workers' transaction timeout has passed since the kill, it fences
///   the killed worker's `transactional.id` (`init_transactions`, on which Tansu writes the
///   abort marker), as Kafka's transaction coordinator would have aborted it by then.
final class RescaleTests: KafkaJobTestCase {
    static let recordsPerSecond = 1_000
    /// The session timeout of ``KafkaJobTestCase/groupOptions``.
    static let sessionTimeoutMillis: Int64 = 6_000
    /// The workers' `transaction.timeout.ms`.
    static let transactionTimeoutMillis: Int64 = 10_000

    func testRescaleOneThreeTwoOneWithStateExactlyOnce() throws {
        guard try runsOnLibrdkafka216() else { return }
        XCTAssertEqual(KafkaJobTestCase.groupOptions.sessionTimeout, .milliseconds(Self.sessionTimeoutMillis))
        let (broker, admin) = try startTansu()
        defer { broker.stop() }
        let input = uniqueName("purchases"), output = uniqueName("totals"), job = uniqueName("rescale-job")
        let repartition = "\(job)-1-repartition"
        try admin.createTopic(input, partitions: PurchaseJob.partitions)
        try admin.createTopic(output, partitions: 2)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("rescale"))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let allSplits = Set((0..<PurchaseJob.partitions).flatMap { ["\(input)[\($0)]", "\(repartition)[\($0)]"] })
        /// The task a split feeds: input partition p is task 0.p (one input topic), repartition
        /// partition p is task 1.p.
        func task(of split: String) -> String {
            let partition = split.split(separator: "[").last!.dropLast()
            return split.hasPrefix(repartition) ? "1.\(partition)" : "0.\(partition)"
        }

        var incarnation = 0
        func spawn(_ id: String) throws -> WorkerProcess {
            incarnation += 1
            let spec = WorkerSpec(bootstrap: broker.bootstrap, input: input, output: output, job: job, workerID: id,
                                  parameters: ["transactionTimeoutMillis": String(Self.transactionTimeoutMillis)], reportsProgress: true)
            return try WorkerProcess(spec: spec, directory: directory, incarnation: incarnation)
        }
        var everyone: [WorkerProcess] = []
        defer { for worker in everyone { worker.kill() } }
        func timeline(_ worker: WorkerProcess) -> WorkerTimeline { WorkerTimeline(worker: worker.spec.workerID, output: worker.output) }
        func now() -> Int64 { WallClock.unixMillis() }

        /// Waits until the live workers own every split once between them, each some, each has
        /// committed a checkpoint since its last assignment change, and each processed more
        /// records since then. Returns the time it saw that.
        func settle(_ live: [WorkerProcess], _ step: String, timeout: TimeInterval = 60) throws -> Int64 {
            let deadline = Date().addingTimeInterval(timeout)
            var owners: [Set<String>] = []
            while Date() < deadline {
                let timelines = live.map(timeline)
                owners = timelines.map { $0.owned ?? [] }
                let disjoint = owners.reduce(0) { $0 + $1.count } == allSplits.count
                if live.allSatisfy(\.isRunning), owners.allSatisfy({ !$0.isEmpty }), disjoint,
                   owners.reduce(Set<String>(), { $0.union($1) }) == allSplits, timelines.allSatisfy(\.committedSinceAssignment) {
                    let settled = now()
                    let before = timelines.map { $0.progress.last?.records ?? 0 }
                    let flowing = live.indices.allSatisfy { index in
                        live[index].wait(timeout: 20) { (timeline($0).progress.last?.records ?? 0) > before[index] }
                    }
                    guard flowing else { break }
                    print("[\(name)] \(step): settled, " + zip(live, owners).map { "\($0.spec.workerID) owns \($1.count)" }.joined(separator: ", "))
                    return settled
                }
                Thread.sleep(forTimeInterval: 0.1)
            }
            let logs = live.map { "\($0.spec.workerID):\n\($0.indentedOutput(limit: 30))" }.joined(separator: "\n")
            throw JobTestError("\(step): the group did not settle within \(timeout) s; owners \(owners.map { $0.sorted() })\n\(logs)")
        }

        let testStart = now()
        /// Seconds since the test started, for the printed timeline.
        func at(_ time: Int64) -> String { String(format: "+%.1fs", Double(time - testStart) / 1000) }
        let feeder = try ContinuousFeeder(bootstrap: broker.bootstrap, topic: input, recordsPerSecond: Self.recordsPerSecond)
        defer { _ = try? feeder.stop() }

        // 1 worker.
        let w0 = try spawn("w0")
        everyone.append(w0)
        _ = try settle([w0], "1 worker")
        Thread.sleep(forTimeInterval: 2)

        // 1 → 3: w0 gives some splits to the newcomers and keeps the others running.
        let joinStart = now()
        let w1 = try spawn("w1"), w2 = try spawn("w2")
        everyone += [w1, w2]
        let joinSettled = try settle([w0, w1, w2], "1 → 3 workers")
        let afterJoin = timeline(w0)
        let revokes = afterJoin.rebalances.filter { $0.change == "revoked" && !$0.splits.isEmpty && $0.end >= joinStart }
        let moved = revokes.reduce(into: Set<String>()) { $0.formUnion($1.splits) }
        let kept = afterJoin.owned ?? []
        XCTAssertFalse(moved.isEmpty, "w0 gave splits to the newcomers:\n\(w0.indentedOutput())")
        XCTAssertFalse(kept.isEmpty, "w0 kept some splits")
        XCTAssertTrue(kept.isDisjoint(with: moved), "w0 kept only splits it never gave up: kept \(kept.sorted()), moved \(moved.sorted())")
        XCTAssertTrue(afterJoin.rebalances.filter { $0.end >= joinStart && $0.change == "assigned" }.allSatisfy(\.splits.isEmpty),
                      "w0 was given nothing while others joined: it only kept splits")
        let newcomerAssigns = [w1, w2].flatMap { timeline($0).rebalances }.filter { $0.change == "assigned" && !$0.splits.isDisjoint(with: moved) }
        let revokedAt = revokes.map(\.end).max() ?? joinStart
        let movedReadyAt = newcomerAssigns.map(\.end).max() ?? joinSettled
        XCTAssertEqual(newcomerAssigns.reduce(into: Set<String>()) { $0.formUnion($1.splits) }.intersection(moved), moved,
                       "every split w0 gave up was assigned to a newcomer")
        XCTAssertGreaterThan(movedReadyAt, revokedAt, "the newcomers got w0's splits after w0 let them go")
        let keptProgress = (afterJoin.records(at: movedReadyAt) ?? 0) - (afterJoin.records(at: revokedAt) ?? 0)
        XCTAssertGreaterThan(keptProgress, 0, """
            w0 kept processing its own splits while the ones it gave up moved (\(revokedAt)…\(movedReadyAt) ms): \
            only moved splits pause
            """)
        print("""
            [\(name)] 1 → 3: w0 gave up \(moved.sorted()) and kept \(kept.sorted()); in the \(movedReadyAt - revokedAt) ms \
            until the newcomers had restored them, w0 processed \(keptProgress) records of the splits it kept; its longest \
            stall during the whole join (\(joinSettled - joinStart) ms) was \(afterJoin.longestStall(from: joinStart, to: joinSettled)) ms
            """)
        Thread.sleep(forTimeInterval: 2)

        // 3 → 2: SIGTERM w1: a final checkpoint, leave; its splits move at once.
        let leaving = timeline(w1).owned ?? []
        let termAt = now()
        XCTAssertEqual(w1.terminate(), 0, "w1 stopped gracefully:\n\(w1.indentedOutput())")
        let leaverTimeline = timeline(w1)
        let finalRevoke = leaverTimeline.rebalances.last
        XCTAssertEqual(finalRevoke?.change, "revoked", "w1's last change is the revoke of leaving:\n\(w1.indentedOutput())")
        XCTAssertEqual(finalRevoke?.splits, leaving, "leaving revokes everything w1 owned")
        let leaveSettled = try settle([w0, w2], "3 → 2 workers (w1 stopped with SIGTERM)")
        let takeovers = [w0, w2].map(timeline).flatMap { timeline in
            timeline.rebalances.filter { $0.change == "assigned" && $0.end >= termAt && !$0.splits.isDisjoint(with: leaving) }
        }
        let handedOver = takeovers.reduce(into: Set<String>()) { $0.formUnion($1.splits) }
        XCTAssertTrue(leaving.isSubset(of: handedOver), "w0 and w2 took over all of w1's splits \(leaving.sorted()): \(handedOver.sorted())")
        let handoverMillis = (takeovers.map(\.end).max() ?? leaveSettled) - termAt
        XCTAssertLessThan(handoverMillis, Self.sessionTimeoutMillis,
                          "a graceful leave hands over at once, not after the session timeout")
        // The new owners restored exactly the checkpoints w1 committed last.
        let restoredAfterLeave = [w0, w2].map(timeline).flatMap { $0.restored.filter { $0.time >= termAt } }
        for split in leaving.sorted() {
            let id = task(of: split)
            let restoredSequence = restoredAfterLeave.last { $0.task == id }?.sequence
            XCTAssertNotNil(leaverTimeline.lastSequence(of: id), "w1 committed or restored a checkpoint of task \(id)")
            XCTAssertEqual(restoredSequence, leaverTimeline.lastSequence(of: id),
                           "task \(id) (\(split)) was restored from w1's final checkpoint")
        }
        print("""
            [\(name)] 3 → 2: SIGTERM to w1 (owning \(leaving.count) splits): its splits were restored on w0/w2 \
            \(handoverMillis) ms later (\(takeovers.reduce(0) { $0 + $1.tasksRestored }) tasks, \
            \(takeovers.reduce(0) { $0 + $1.bytesRestored }) bytes), from w1's final checkpoints
            """)
        Thread.sleep(forTimeInterval: 2)

        // 2 → 1: SIGKILL w2: its splits move once the group's session for it expires.
        let orphaned = timeline(w2).owned ?? []
        let killed = timeline(w2)
        let killAt = now()
        w2.kill()
        _ = try settle([w0], "2 → 1 worker (w2 killed with SIGKILL)")
        let survivor = timeline(w0)
        let rescues = survivor.rebalances.filter { $0.change == "assigned" && $0.end >= killAt && !$0.splits.isDisjoint(with: orphaned) }
        let rescued = rescues.reduce(into: Set<String>()) { $0.formUnion($1.splits) }
        XCTAssertTrue(orphaned.isSubset(of: rescued), "w0 took over all of w2's splits \(orphaned.sorted()): \(rescued.sorted())")
        let rescuedAt = rescues.map(\.end).max() ?? killAt
        for split in orphaned.sorted() {
            let id = task(of: split)
            let restoredSequence = survivor.restored.last { $0.task == id && $0.time >= killAt }?.sequence
            XCTAssertNotNil(restoredSequence, "w0 restored task \(id) (\(split)) from a checkpoint")
            // w2 may have committed one more checkpoint after its last printed line before it died.
            XCTAssertGreaterThanOrEqual(restoredSequence ?? -1, killed.lastSequence(of: id) ?? .max,
                                        "task \(id) was restored from w2's last committed checkpoint or a newer one")
        }
        let survivorProgress = (survivor.records(at: rescuedAt) ?? 0) - (survivor.records(at: killAt) ?? 0)
        XCTAssertGreaterThan(survivorProgress, 0, "w0 kept processing its splits while w2's waited for the session timeout")
        print("""
            [\(name)] 2 → 1: SIGKILL to w2 (owning \(orphaned.count) splits): its splits were restored on w0 \
            \(rescuedAt - killAt) ms later (session timeout \(Self.sessionTimeoutMillis) ms; \
            \(rescues.reduce(0) { $0 + $1.tasksRestored }) tasks, \(rescues.reduce(0) { $0 + $1.bytesRestored }) bytes); \
            meanwhile w0 processed \(survivorProgress) records of its own splits
            """)
        // Kafka would have aborted w2's open transaction by now; Tansu never does (see above).
        let fenceAt = killAt + Self.transactionTimeoutMillis
        if now() < fenceAt { Thread.sleep(forTimeInterval: Double(fenceAt - now()) / 1000) }
        let keyedBeforeFence = timeline(w0)
        let fencedAt = now()
        try fence(transactionalID: "\(job)-w2", bootstrap: broker.bootstrap)
        let keyedAtFence = keyedBeforeFence.keyedRecords(at: fencedAt) ?? 0
        XCTAssertTrue(w0.wait(timeout: 30) { (timeline($0).progress.last?.keyed ?? 0) > keyedAtFence },
                      "w0's keyed stage moves once w2's transaction has ended:\n\(w0.indentedOutput())")
        let resumedAt = timeline(w0).progress.first { $0.keyed > keyedAtFence }?.time ?? fencedAt
        print("""
            [\(name)] 2 → 1: behind w2's open transaction, w0's keyed stage had not moved since \
            \(keyedBeforeFence.keyedLastMoved(before: fencedAt).map(at) ?? "?") (SIGKILL at \(at(killAt))); w2's transaction \
            fenced at \(at(fencedAt)) (kill + transaction timeout), the keyed stage moved again \(resumedAt - fencedAt) ms later
            """)
        Thread.sleep(forTimeInterval: 2)

        // End: input stops, end markers close every window, the output completes.
        let produced = try feeder.stop()
        let producer = try KafkaProducer(configuration: ProducerConfiguration(bootstrapServers: broker.bootstrap))
        try PurchaseJob.produceEndMarkers(to: input, with: producer)
        let expected = PurchaseJob.expectedResults(count: produced)
        let report = try Verifier.audit(broker: .tansu, bootstrap: broker.bootstrap, topic: output, view: .now,
                                        expect: expected.count, timeout: 120)
        XCTAssertEqual(w0.terminate(), 0, "w0 stopped gracefully:\n\(w0.indentedOutput())")
        let final = try Verifier.audit(broker: .tansu, bootstrap: broker.bootstrap, topic: output, view: .now)

        print("""
            [\(name)] rebalance pauses per worker, in order (`+s` when handled, since the test started; w1, w2 joined at \
            \(at(joinStart)), SIGTERM to w1 at \(at(termAt)), SIGKILL to w2 at \(at(killAt)); `owned` after the change):
            """)
        for worker in everyone {
            for event in timeline(worker).rebalances {
                let splits = event.splits.isEmpty ? "nothing" : "\(event.splits.count) splits"
                print("""
                    [\(name)]   \(at(event.end)) \(worker.spec.workerID) #\(event.number) \(event.change) \(splits): pause \
                    \(String(format: "%.1f", event.pauseMillis)) ms, restored \(event.tasksRestored) tasks \
                    (\(event.bytesRestored) B), committed \(event.committed), owned \(event.owned)
                    """)
            }
        }
        let lines = final.records.compactMap(\.valueString).filter { !$0.hasPrefix(PurchaseJob.endMarker) }.sorted()
        print("""
            [\(name)] \(produced) purchases, \(expected.count) window results expected; output \(lines.count) results, \
            transactions \(final.stats.map { "\($0.transactions)" } ?? "?")
            """)
        XCTAssertEqual(report.records.count, final.records.count, "nothing more appeared after the graceful stop")
        XCTAssertEqual(lines.count, expected.count, "as many results as windows")
        XCTAssertTrue(lines == expected, "every window result exactly once, with the right count and sum")
        if lines != expected {
            print("[\(name)] \(ResultDiff(lines: lines, expected: expected, keyFields: 2))")
            for worker in everyone { print("[\(name)] \(worker.spec.workerID):\n\(worker.indentedOutput(limit: 40))") }
        }
    }

    /// Aborts the open transaction of the dead producer `transactionalID` by initializing a
    /// producer with its id, as the broker's transaction timeout would on Kafka.
    private func fence(transactionalID: String, bootstrap: String) throws {
        var configuration = ProducerConfiguration(bootstrapServers: bootstrap)
        configuration.idempotence = true
        configuration.transactionalID = transactionalID
        let fencer = try KafkaProducer(configuration: configuration)
        try fencer.initTransactions(timeout: .seconds(30))
    }
}
