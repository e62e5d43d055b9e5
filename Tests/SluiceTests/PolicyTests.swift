import XCTest
@testable import Sluice

final class PolicyTests: XCTestCase {
    /// Ten records at offsets 0...9 of one partition; "bad" ones make the map throw.
    private let values = ["v0", "v1", "v2", "v3", "v4", "bad5", "v6", "bad7", "v8", "v9"]

    private func run(
        policy: BadInputPolicy, batchSize: Int = 2, deserializeFailure: Bool = false
    ) throws -> (results: [String], metrics: JobMetrics, commits: LocalCommitPoint) {
        var records = ScriptedSource.records(values.map { [(0, 0, $0)] })
        if deserializeFailure {
            records[5][0].value = [0xff, 0xfe]
        }
        let source = ScriptedSource(polls: [records.flatMap { $0 }])
        let runtime = LocalRuntime()
        let env = environment(batchSize: batchSize, policy: policy, runtime: runtime)
        let commits = runtime.commitPoint
        let results = env.fromSource(source, deserializer: UTF8StringCodec())
            .map { value -> String in
                if value.hasPrefix("bad") { throw TestFailure(reason: "cannot handle \(value)") }
                return value.uppercased()
            }
            .collect()
        do {
            let metrics = try env.execute()
            return (results.elements, metrics, commits)
        } catch {
            XCTAssertTrue(commits.history.allSatisfy { $0.positions.values.allSatisfy { $0 <= 5 } },
                          "no commit passes the unhandled offset 5: \(commits.history.map(\.positions))")
            throw error
        }
    }

    func testFailNamesTopicPartitionOffsetAndError() throws {
        XCTAssertThrowsError(try run(policy: .fail)) { error in
            let text = String(describing: error)
            XCTAssertEqual(text, "record at topic events, partition 0, offset 5 failed in map: cannot handle bad5")
        }
    }

    func testFailOnDeserializationNamesTheRecord() throws {
        XCTAssertThrowsError(try run(policy: .fail, deserializeFailure: true)) { error in
            let failure = error as? RecordFailure
            XCTAssertEqual(failure?.offset, 5)
            XCTAssertEqual(failure?.operatorName, "deserialize")
            XCTAssertEqual(failure?.topic, "events")
        }
    }

    func testFailCommitsOnlyRoundsBeforeTheFailingRecord() throws {
        for batchSize in [1, 2, 3, 4] {
            let split = Split(topic: "events", partition: 0)
            let runtime = LocalRuntime()
            let commits = runtime.commitPoint
            let source = ScriptedSource(polls: [ScriptedSource.records(values.map { [(0, 0, $0)] }).flatMap { $0 }])
            let env = environment(batchSize: batchSize, runtime: runtime)
            env.fromSource(source, deserializer: UTF8StringCodec())
                .map { value -> String in if value.hasPrefix("bad") { throw TestFailure(reason: value) }; return value }
                .collect()
            XCTAssertThrowsError(try env.execute())
            // Rounds of `batchSize` records: the last complete round before offset 5 ends here.
            let expected = Int64(5 / batchSize * batchSize)
            XCTAssertEqual(commits.positions[split] ?? 0, expected, "batch size \(batchSize)")
            XCTAssertTrue(commits.history.allSatisfy { $0.positions[split]! <= 5 })
        }
    }

    func testSkipCountsAndGoesOn() throws {
        let outcome = try run(policy: .skip)
        let expected = values.filter { !$0.hasPrefix("bad") }.map { $0.uppercased() }
        XCTAssertEqual(outcome.results, expected)
        XCTAssertEqual(outcome.metrics.skippedRecords, values.filter { $0.hasPrefix("bad") }.count)
        XCTAssertEqual(outcome.commits.positions[Split(topic: "events", partition: 0)], Int64(values.count))
        let positions = outcome.commits.history.compactMap { $0.positions[Split(topic: "events", partition: 0)] }
        XCTAssertEqual(positions, positions.sorted(), "positions only move forward")
    }

    func testDeadLetterCarriesOriginalBytesAndHeaders() throws {
        let deadLetters = CollectSink<SinkRecord>()
        let outcome = try run(policy: .deadLetter(deadLetters), deserializeFailure: true)
        XCTAssertEqual(outcome.metrics.deadLetteredRecords, 2)
        XCTAssertEqual(outcome.results, ["V0", "V1", "V2", "V3", "V4", "V6", "V8", "V9"])
        XCTAssertGreaterThan(deadLetters.flushCount, 0, "the dead-letter sink is flushed before commits")
        let records = deadLetters.elements
        XCTAssertEqual(records.count, 2)
        func header(_ record: SinkRecord, _ name: String) -> String? {
            record.headers.first { $0.key == name }.map { String(decoding: $0.value, as: UTF8.self) }
        }
        XCTAssertEqual(records[0].value, [0xff, 0xfe], "original value bytes")
        XCTAssertEqual(records[0].key, Array("k-bad5".utf8), "original key bytes")
        XCTAssertEqual(header(records[0], "origin"), "test", "original headers kept")
        XCTAssertEqual(header(records[0], DeadLetterHeader.topic), "events")
        XCTAssertEqual(header(records[0], DeadLetterHeader.partition), "0")
        XCTAssertEqual(header(records[0], DeadLetterHeader.offset), "5")
        XCTAssertTrue(header(records[0], DeadLetterHeader.error)?.hasPrefix("deserialize: ") == true)
        XCTAssertEqual(header(records[1], DeadLetterHeader.offset), "7")
        XCTAssertEqual(header(records[1], DeadLetterHeader.error), "map: cannot handle bad7")
        XCTAssertEqual(records[1].value, Array("bad7".utf8))
    }

    func testFailureAfterAnExchangeIsTracedToItsSourceRecord() throws {
        let source = ScriptedSource(partitions: 2, polls: ScriptedSource.records([
            [(0, 1_000, "a"), (1, 1_000, "b")], [(0, 2_000, "a"), (1, 2_000, "boom")],
        ]))
        let env = environment(parallelism: 3)
        env.fromSource(source, deserializer: UTF8StringCodec())
            .keyBy { $0 }
            .process(Thrower())
            .collect()
        XCTAssertThrowsError(try env.execute()) { error in
            XCTAssertEqual(String(describing: error), "record at topic events, partition 1, offset 1 failed in process(Thrower): boom")
        }
    }

    func testStopCommitsWhatWasHandled() throws {
        let source = ScriptedSource(bounded: false, polls: ScriptedSource.records([[(0, 0, "a"), (0, 0, "b")], [(0, 0, "c")]]))
        let runtime = LocalRuntime()
        let env = environment(runtime: runtime)
        let commits = runtime.commitPoint
        let results = env.fromSource(source, deserializer: UTF8StringCodec()).collect()
        let job = try env.build()
        source.stopWhenExhausted = job.stopSignal
        try job.run()
        XCTAssertEqual(results.elements, ["a", "b", "c"])
        XCTAssertEqual(commits.positions, [Split(topic: "events", partition: 0): 3])
    }
}

final class Thrower: KeyedProcessFunction {
    func processElement(_ value: String, context: KeyedProcessContext<String, String>, out: Collector<String>) throws {
        if value == "boom" { throw TestFailure(reason: "boom") }
        out.collect(value)
    }
}
