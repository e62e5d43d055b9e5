import BrokerRig
import Foundation
import KafkaTestJobs
import RdKafka
import Sluice
import SluiceKafka
import Synchronization
import XCTest

/// `sluice offsets show|reset`, the built executable, around a real exactly-once keyed job with
/// a repartition stage on Tansu: shown numbers equal what the topics and the group hold, read
/// here independently; a reset is refused while a worker runs, naming it; a reset to a time,
/// to earliest and to explicit offsets sets the expected offsets and writes reset records; and
/// a restarted job then computes its windows from the new offsets with fresh state, equal to
/// results computed here from only the records at and after them, every value.
///
/// Gaps no broker here can prove: the broker's offsets for a time are only ever found wrong
/// (Tansu 0.6 answers 0, so a reset to a later time is resolved by reading: `scan`); Tansu
/// names members by id only (no client id, no host), and librdkafka 2.16 passes them on only
/// sometimes, so a running worker is refused by the group's state (`Stable`) when unnamed.
final class OffsetsCommandTests: KafkaJobTestCase {
    private static let records = 8_000
    private var perPartition: Int { Self.records / Int(PurchaseJob.partitions) }

    func testShowAndResetAroundAnExactlyOnceJob() throws {
        guard try runsOnLibrdkafka216() else { return }
        let (broker, admin) = try startTansu()
        defer { broker.stop() }
        let spec = WorkerSpec(
            bootstrap: broker.bootstrap, input: uniqueName("purchases"), output: uniqueName("totals"),
            job: uniqueName("offsets-job"), workerID: "w0")
        let connection = ["--bootstrap", broker.bootstrap]
        let repartition = "\(spec.job)-1-repartition"
        try admin.createTopic(spec.input, partitions: PurchaseJob.partitions)
        try admin.createTopic(spec.output, partitions: 1)
        let producer = try KafkaProducer(configuration: ProducerConfiguration(bootstrapServers: broker.bootstrap))
        try PurchaseJob.produce(0..<Self.records, to: spec.input, with: producer)
        let inputs = (0..<PurchaseJob.partitions).map { Split(topic: spec.input, partition: $0) }
        let repartitions = (0..<PurchaseJob.partitions).map { Split(topic: repartition, partition: $0) }
        let checkpointSplits = (0..<2).flatMap { stage in
            (0..<Int(PurchaseJob.partitions)).map { JobTopics(job: spec.job).checkpointSplit(of: TaskID(stage: stage, partition: $0)) }
        }

        // 1. The job runs: show names its member, a reset is refused naming it.
        let running = try startJob(spec)
        try waitUntilCommitted(spec, inputs: inputs, equal: Array(repeating: Int64(perPartition), count: inputs.count))
        let live = try SluiceExecutable.run(["offsets", "show", spec.job, "--json"] + connection)
        XCTAssertEqual(live.status, 0, live.stderr)
        let liveReport = try live.object()
        let members = try XCTUnwrap(liveReport["members"] as? [[String: Any]])
        print("[\(name)] group \(liveReport["group_state"] ?? "?") while the job runs, members \(members)")
        XCTAssertEqual(liveReport["group_state"] as? String, "Stable")
        XCTAssertEqual(liveReport["group_active"] as? Bool, true)
        XCTAssertLessThanOrEqual(members.count, 1, "one worker, at most one member")
        // Tansu names members by id only, and librdkafka 2.16 passes them on only sometimes
        // (ConsumerGroupDescriptionTests): the refusal names the member, or the group's state.
        let memberID = members.first?["member_id"] as? String
        let refused = try expectOperatorFailure(
            ["offsets", "reset", spec.job, "--to", "earliest"] + connection,
            naming: [spec.job, memberID.map { "member \($0)" } ?? "its group is Stable", "stop its workers first"])
        print("[\(name)] refused: \(refused)")
        let liveTable = try SluiceExecutable.run(["offsets", "show", spec.job] + connection)
        let header = "job \(spec.job) at \(broker.bootstrap): group Stable, "
            + (memberID.map { "1 active member: member \($0)" } ?? "active members the broker does not name")
        XCTAssertTrue(liveTable.stdout.hasPrefix(header), liveTable.stdout)
        try running.stop()
        let phaseOneOutput = try Verifier.audit(broker: .tansu, bootstrap: broker.bootstrap, topic: spec.output, view: .now)
        let phaseOneEnd = phaseOneOutput.records.map(\.offset).max() ?? -1

        // 2. Show after the stop: every number against the group and the topics.
        let shown = try SluiceExecutable.run(["offsets", "show", spec.job, "--json"] + connection)
        XCTAssertEqual(shown.status, 0, shown.stderr)
        let report = try shown.object()
        XCTAssertEqual(report["job"] as? String, spec.job)
        XCTAssertEqual((report["members"] as? [Any])?.count, 0, "no members after the stop")
        XCTAssertEqual(report["group_active"] as? Bool, false)
        let rows = try XCTUnwrap(report["partitions"] as? [[String: Any]])
        XCTAssertEqual(rows.map { "\($0["topic"] as? String ?? "?")[\($0["partition"] as? Int ?? -1)]" },
                       (inputs + repartitions).map(\.description), "input partitions, then repartition partitions")
        let groupOffsets = try committed(group: spec.job, inputs + repartitions + checkpointSplits, bootstrap: broker.bootstrap)
        let catalog = try CheckpointCatalog(bootstrapServers: broker.bootstrap).list(job: spec.job)
        for (row, split) in zip(rows, inputs + repartitions) {
            let label = split.description
            let isInternal = split.topic == repartition
            XCTAssertEqual(row["internal"] as? Bool, isInternal, label)
            XCTAssertEqual((row["committed"] as? Int).map(Int64.init), groupOffsets[split], label)
            let read = try readOffsets(split, bootstrap: broker.bootstrap)
            let end = try XCTUnwrap((row["end"] as? Int).map(Int64.init), label)
            if isInternal {
                // Transactional: the end is past the last record read (a commit marker follows it).
                XCTAssertGreaterThanOrEqual(end, (read.last?.offset ?? -1) + 1, label)
                XCTAssertGreaterThanOrEqual(end, groupOffsets[split] ?? 0, label)
            } else {
                XCTAssertEqual(end, Int64(perPartition), "\(label): as many records as were written to it")
                XCTAssertEqual(read.count, perPartition, label)
            }
            XCTAssertEqual((row["lag"] as? Int).map(Int64.init), end - (groupOffsets[split] ?? 0), label)
            let summary = catalog.first { $0.manifest?.input == split }
            XCTAssertNotNil(summary, "\(label): a task committed a checkpoint reading it")
            XCTAssertEqual(row["checkpoint"] as? String, "committed", label)
            XCTAssertEqual((row["checkpoint_sequence"] as? Int).map(UInt64.init), summary?.manifest?.sequence, label)
            XCTAssertEqual(row["task"] as? String, summary.map { "\($0.task.stage).\($0.task.partition)" }, label)
        }

        // 3. A dry run to a time changes nothing.
        let time = PurchaseJob.base + 3_000
        let timeText = iso8601(time)
        let expectedTimeOffsets = inputs.map { split in firstOffset(in: split.partition, atOrAfter: time) }
        XCTAssertEqual(expectedTimeOffsets, Array(repeating: 750, count: inputs.count), "3 s in at 4 ms a record")
        let checkpointEnds = try checkpointSplits.map { try watermarks($0, bootstrap: broker.bootstrap).high }
        let dry = try SluiceExecutable.run(["offsets", "reset", spec.job, "--to", timeText, "--dry-run", "--json"] + connection)
        XCTAssertEqual(dry.status, 0, dry.stderr)
        let dryPlan = try dry.object()
        XCTAssertEqual(dryPlan["dry_run"] as? Bool, true)
        try checkPlan(dryPlan, inputs: inputs, old: groupOffsets, new: expectedTimeOffsets, repartitions: repartitions,
                      resolutions: ["lookup", "scan"], bootstrap: broker.bootstrap)
        XCTAssertEqual(
            try committed(group: spec.job, inputs + repartitions + checkpointSplits, bootstrap: broker.bootstrap), groupOffsets,
            "a dry run commits nothing")
        XCTAssertEqual(try checkpointSplits.map { try watermarks($0, bootstrap: broker.bootstrap).high }, checkpointEnds,
                       "a dry run writes no reset record")

        // Before every record: the broker's answer (Tansu's 0) holds and is used; after every
        // record: read to the end.
        for (early, expected) in [(PurchaseJob.base - 1_000, ["lookup"]), (PurchaseJob.base + 3_600_000, ["scan"])] {
            let run = try SluiceExecutable.run(["offsets", "reset", spec.job, "--to", iso8601(early), "--dry-run", "--json"] + connection)
            XCTAssertEqual(run.status, 0, run.stderr)
            try checkPlan(try run.object(), inputs: inputs, old: groupOffsets,
                          new: inputs.map { firstOffset(in: $0.partition, atOrAfter: early) }, repartitions: repartitions,
                          resolutions: Set(expected), bootstrap: broker.bootstrap)
        }

        // 4. The reset to the time, then the job again: results of only the records after it.
        let reset = try SluiceExecutable.run(["offsets", "reset", spec.job, "--to", timeText, "--json"] + connection)
        XCTAssertEqual(reset.status, 0, reset.stderr)
        let plan = try reset.object()
        print("[\(name)] reset to \(timeText): resolutions \(Set((plan["partitions"] as? [[String: Any]] ?? []).compactMap { $0["resolution"] as? String }))")
        try checkPlan(plan, inputs: inputs, old: groupOffsets, new: expectedTimeOffsets, repartitions: repartitions,
                      resolutions: ["lookup", "scan"], bootstrap: broker.bootstrap)
        try checkApplied(plan, job: spec.job, inputs: inputs, new: expectedTimeOffsets, repartitions: repartitions, bootstrap: broker.bootstrap)
        let afterReset = try SluiceExecutable.run(["offsets", "show", spec.job, "--json"] + connection)
        let resetRows = try XCTUnwrap(try afterReset.object()["partitions"] as? [[String: Any]])
        XCTAssertEqual(resetRows.map { $0["checkpoint"] as? String }, Array(repeating: "reset", count: resetRows.count))
        XCTAssertEqual(resetRows.prefix(inputs.count).map { ($0["lag"] as? Int).map(Int64.init) },
                       expectedTimeOffsets.map { Int64(perPartition) - $0 })

        try PurchaseJob.produceEndMarkers(to: spec.input, with: producer)
        let afterTime = (0..<Self.records).filter { PurchaseJob.purchase($0).timestamp >= time }
        let phaseTwoEnd = try runAndCheck(spec, after: phaseOneEnd, expected: Self.results(of: afterTime), label: "after the reset to \(timeText)")

        // 5. --to earliest, with --topic: every input partition at its start.
        let earliest = try SluiceExecutable.run(["offsets", "reset", spec.job, "--to", "earliest", "--topic", spec.input, "--json"] + connection)
        XCTAssertEqual(earliest.status, 0, earliest.stderr)
        let beforeEarliest = try committed(group: spec.job, inputs + repartitions, bootstrap: broker.bootstrap)
        XCTAssertEqual(beforeEarliest.filter { $0.key.topic == spec.input }.values.sorted(), Array(repeating: 0, count: inputs.count))
        try checkApplied(try earliest.object(), job: spec.job, inputs: inputs, new: Array(repeating: 0, count: inputs.count),
                         repartitions: repartitions, bootstrap: broker.bootstrap)

        // 6. Explicit offsets, then the job again.
        let explicit: [Int64] = [1_200, 1_900, 0, 1_999]
        let target = zip(inputs, explicit).map { "\($0.topic):\($0.partition):\($1)" }.joined(separator: ",")
        let moved = try SluiceExecutable.run(["offsets", "reset", spec.job, "--to", target] + connection)
        print("[\(name)] sluice offsets reset --to \(target):\n\(moved.stdout)")
        XCTAssertEqual(moved.status, 0, moved.stderr)
        XCTAssertTrue(moved.stdout.hasPrefix("job \(spec.job) at \(broker.bootstrap): offsets reset to \(target)\nTOPIC"), moved.stdout)
        XCTAssertTrue(moved.stdout.contains("8 checkpoint partitions got a reset record"), moved.stdout)
        let explicitOffsets = try committed(group: spec.job, inputs, bootstrap: broker.bootstrap)
        XCTAssertEqual(inputs.map { explicitOffsets[$0] }, explicit)
        let selected = (0..<Self.records).filter { index in
            let partition = Int32(index % Int(PurchaseJob.partitions))
            return Int64(index / Int(PurchaseJob.partitions)) >= explicit[Int(partition)]
        }
        _ = try runAndCheck(spec, after: phaseTwoEnd, expected: Self.results(of: selected), label: "after the reset to explicit offsets")

        // 7. Bad arguments and unknown jobs: one line, exit status 2.
        try expectOperatorFailure(["offsets", "reset", spec.job, "--to", "nonsense"] + connection, naming: ["'nonsense'", "earliest, latest"])
        try expectOperatorFailure(["offsets", "reset", spec.job, "--to", "2026-13-45T99:00:00Z"] + connection, naming: ["2026-13-45T99:00:00Z", "not an ISO-8601 time"])
        try expectOperatorFailure(["offsets", "reset", spec.job, "--to", "\(spec.input):9:0"] + connection, naming: [spec.input, "no partition 9"])
        try expectOperatorFailure(["offsets", "reset", spec.job, "--to", "\(spec.input):0:99999"] + connection,
                          naming: [spec.input, "partition 0", "offset 99999"])
        let unknown = uniqueName("no-such-job")
        try expectOperatorFailure(["offsets", "show", unknown] + connection, naming: [unknown, broker.bootstrap])
        try expectOperatorFailure(["offsets", "reset", unknown, "--to", "earliest"] + connection, naming: [unknown, broker.bootstrap])
        try expectOperatorFailure(["offsets", "reset", unknown, "--to", "earliest", "--topic", "no-such-topic"] + connection,
                          naming: ["no-such-topic", broker.bootstrap])
        try expectOperatorFailure(["offsets", "show", "any-job", "--bootstrap", "127.0.0.1:1", "--timeout", "2"], naming: ["127.0.0.1:1"])
    }

    // MARK: Checks

    /// The plan's input rows move `old` to `new` by one of `resolutions`; its repartition rows
    /// go to their end; it names every checkpoint partition of both stages.
    private func checkPlan(
        _ plan: [String: Any], inputs: [Split], old: [Split: Int64], new: [Int64], repartitions: [Split], resolutions: Set<String>,
        bootstrap: String, line: UInt = #line
    ) throws {
        let rows = try XCTUnwrap(plan["partitions"] as? [[String: Any]], line: line)
        XCTAssertEqual(rows.count, inputs.count + repartitions.count, line: line)
        for (row, split) in zip(rows, inputs + repartitions) {
            XCTAssertEqual(row["topic"] as? String, split.topic, line: line)
            XCTAssertEqual(row["partition"] as? Int, Int(split.partition), line: line)
            XCTAssertEqual((row["old"] as? Int).map(Int64.init), old[split], "\(split) old", line: line)
        }
        for (row, offset) in zip(rows, new) {
            XCTAssertEqual((row["new"] as? Int).map(Int64.init), offset, line: line)
            XCTAssertTrue(resolutions.contains(row["resolution"] as? String ?? ""), "\(row)", line: line)
        }
        for (row, split) in zip(rows.dropFirst(inputs.count), repartitions) {
            let read = try readOffsets(split, bootstrap: bootstrap)
            let end = try XCTUnwrap((row["new"] as? Int).map(Int64.init), line: line)
            XCTAssertGreaterThanOrEqual(end, (read.last?.offset ?? -1) + 1, "\(split): at its end, past every record", line: line)
            XCTAssertEqual(row["resolution"] as? String, "end", line: line)
            XCTAssertEqual(row["internal"] as? Bool, true, line: line)
        }
        let checkpoints = try XCTUnwrap(plan["checkpoints"] as? [[String: Any]], line: line)
        XCTAssertEqual(checkpoints.compactMap { $0["task"] as? String }, (0..<2).flatMap { stage in (0..<4).map { "\(stage).\($0)" } }, line: line)
    }

    /// The group committed `new` for the inputs, each repartition partition's end, and each
    /// task's pointer just past a reset record of that task, read here from the checkpoint topic.
    private func checkApplied(
        _ plan: [String: Any], job: String, inputs: [Split], new: [Int64], repartitions: [Split], bootstrap: String, line: UInt = #line
    ) throws {
        let checkpoints = try XCTUnwrap(plan["checkpoints"] as? [[String: Any]], line: line)
        let splits = try checkpoints.map { row in
            Split(topic: try XCTUnwrap(row["topic"] as? String), partition: Int32(try XCTUnwrap(row["partition"] as? Int)))
        }
        let group = try committed(group: job, inputs + repartitions + splits, bootstrap: bootstrap)
        XCTAssertEqual(inputs.map { group[$0] }, new, "input offsets", line: line)
        for split in repartitions {
            let read = try readOffsets(split, bootstrap: bootstrap)
            XCTAssertGreaterThanOrEqual(group[split] ?? -1, (read.last?.offset ?? -1) + 1, "\(split) at its end", line: line)
        }
        for (row, split) in zip(checkpoints, splits) {
            let pointer = try XCTUnwrap(group[split], "\(split) has a pointer", line: line)
            XCTAssertEqual((row["new_pointer"] as? Int).map(Int64.init), pointer, line: line)
            let record = try XCTUnwrap(try readOffsets(split, bootstrap: bootstrap).first { $0.offset == pointer - 1 }, line: line)
            let reset = try XCTUnwrap(record.value.flatMap(CheckpointReset.decodeIfReset), "\(split) offset \(pointer - 1) is a reset record", line: line)
            XCTAssertEqual(reset.jobName, job, line: line)
            XCTAssertEqual("\(reset.task.stage).\(reset.task.partition)", row["task"] as? String, line: line)
            XCTAssertEqual(JobTopics(job: job).checkpointSplit(of: reset.task), split, line: line)
        }
    }

    /// Runs the job until the output holds `expected.count` results after `offset`, stops it,
    /// and compares those results with `expected`, every value; returns the output's last offset.
    private func runAndCheck(_ spec: WorkerSpec, after offset: Int64, expected: [String], label: String) throws -> Int64 {
        let running = try startJob(spec)
        let deadline = Date().addingTimeInterval(120)
        var report = try Verifier.audit(broker: .tansu, bootstrap: spec.bootstrap, topic: spec.output, view: .now)
        while Date() < deadline, report.records.filter({ $0.offset > offset }).count < expected.count {
            Thread.sleep(forTimeInterval: 1)
            report = try Verifier.audit(broker: .tansu, bootstrap: spec.bootstrap, topic: spec.output, view: .now)
        }
        try running.stop()
        report = try Verifier.audit(broker: .tansu, bootstrap: spec.bootstrap, topic: spec.output, view: .now)
        let fresh = report.records.filter { $0.offset > offset }
        let lines = fresh.compactMap(\.valueString).filter { !$0.hasPrefix(PurchaseJob.endMarker) }.sorted()
        print("[\(name)] \(label): \(lines.count) results, \(expected.count) expected")
        XCTAssertEqual(lines.count, expected.count, "\(label): one result per window")
        XCTAssertTrue(lines == expected, "\(label): every result from the new offsets alone\n\(ResultDiff(lines: lines, expected: expected, keyFields: 2))")
        return report.records.map(\.offset).max() ?? offset
    }

    // MARK: Helpers

    private func startJob(_ spec: WorkerSpec) throws -> RunningJob {
        var configuration = JobConfiguration()
        configuration.checkpointInterval = .milliseconds(300)
        return start(try PurchaseJob.build(spec: spec, configuration: configuration).build())
    }

    /// Waits until the group committed `offsets` for `inputs` and the job went quiet (the
    /// repartition stage applied and checkpointed what crossed).
    private func waitUntilCommitted(_ spec: WorkerSpec, inputs: [Split], equal offsets: [Int64]) throws {
        let deadline = Date().addingTimeInterval(90)
        while Date() < deadline, try committed(group: spec.job, inputs, bootstrap: spec.bootstrap).count < inputs.count
            || inputs.map({ try? committed(group: spec.job, [$0], bootstrap: spec.bootstrap)[$0] }) != offsets {
            Thread.sleep(forTimeInterval: 0.3)
        }
        Thread.sleep(forTimeInterval: 2)
        XCTAssertEqual(try inputs.map { try committed(group: spec.job, [$0], bootstrap: spec.bootstrap)[$0] }, offsets)
    }

    private func committed(group: String, _ splits: [Split], bootstrap: String) throws -> [Split: Int64] {
        let consumer = try KafkaConsumer(configuration: ConsumerConfiguration(bootstrapServers: bootstrap, groupID: group))
        defer { consumer.close() }
        var out: [Split: Int64] = [:]
        for offset in try consumer.committed(splits.map { TopicPartition($0.topic, $0.partition) }) where offset.offset >= 0 {
            out[Split(topic: offset.topic, partition: offset.partition)] = offset.offset
        }
        return out
    }

    private func watermarks(_ split: Split, bootstrap: String) throws -> Watermarks {
        let consumer = try KafkaConsumer(configuration: ConsumerConfiguration(bootstrapServers: bootstrap))
        defer { consumer.close() }
        return try consumer.watermarks(TopicPartition(split.topic, split.partition))
    }

    /// Every record of `split` from its start, `read_uncommitted`, until nothing new came for a second.
    private func readOffsets(_ split: Split, bootstrap: String) throws -> [ConsumerRecord] {
        var configuration = ConsumerConfiguration(bootstrapServers: bootstrap)
        configuration.isolationLevel = .readUncommitted
        let consumer = try KafkaConsumer(configuration: configuration)
        defer { consumer.close() }
        try consumer.assign([TopicPartitionOffset(split.topic, split.partition, offset: KafkaOffset.beginning)])
        var records: [ConsumerRecord] = []
        var quietSince = ContinuousClock.now
        while ContinuousClock.now - quietSince < .seconds(1) {
            let batch = try consumer.poll(maxRecords: 1000, timeout: .milliseconds(100))
            if !batch.isEmpty { quietSince = .now }
            records += batch
        }
        return records.sorted { $0.offset < $1.offset }
    }

    /// The offset, in `partition` of the input, of the first purchase at or after `time`,
    /// from the purchases as written.
    private func firstOffset(in partition: Int32, atOrAfter time: Int64) -> Int64 {
        let indices = (0..<Self.records).filter { PurchaseJob.purchase($0).partition == partition }
        return Int64(indices.firstIndex { PurchaseJob.purchase($0).timestamp >= time } ?? indices.count)
    }

    /// The job's window results over the purchases at `indices`, computed without the engine.
    private static func results(of indices: [Int]) -> [String] {
        var totals: [String: PurchaseJob.Totals] = [:]
        for index in indices {
            let (_, timestamp, purchase) = PurchaseJob.purchase(index)
            let key = "\(purchase.user)\t\(timestamp - timestamp % PurchaseJob.windowMillis)"
            totals[key, default: PurchaseJob.Totals()].count += 1
            totals[key, default: PurchaseJob.Totals()].sum += purchase.amount
        }
        return totals.map { "\($0.key)\t\($0.value.count)\t\($0.value.sum)" }.sorted()
    }

    private func iso8601(_ milliseconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }
}

extension SluiceExecutable.Run {
    /// Standard output parsed as one JSON object.
    func object() throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any], "JSON object: \(stdout)\n\(stderr)")
    }
}
