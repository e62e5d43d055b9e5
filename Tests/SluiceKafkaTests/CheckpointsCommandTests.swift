import BrokerRig
import Foundation
import RdKafka
import Sluice
import SluiceKafka
import Synchronization
import XCTest

/// The built `sluice checkpoints` executable, end to end on Tansu over hand-written checkpoints
/// (``HandWrittenCheckpoints``): its table, JSON and inspect output, and one-line errors with
/// exit status 2.
final class CheckpointsCommandTests: KafkaJobTestCase {
    func testListAndInspectThroughTheExecutable() throws {
        guard try runsOnLibrdkafka216() else { return }
        let (broker, admin) = try startTansu()
        defer { broker.stop() }
        let written = try HandWrittenCheckpoints.write(
            bootstrap: broker.bootstrap, admin: admin, job: uniqueName("cli-job"), input: uniqueName("cli-input"))
        let connection = ["--bootstrap", broker.bootstrap]

        let table = try sluice(["checkpoints", "list", written.job] + connection)
        print("[\(name)] sluice checkpoints list:\n\(table.stdout)")
        XCTAssertEqual(table.status, 0, table.stderr)
        let lines = table.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 5, "a summary line, the header and one row per task")
        XCTAssertEqual(lines.first, "job \(written.job) at \(broker.bootstrap): 3 tasks in 1 stage, 1 with a committed checkpoint")

        // The connection as a job command takes it: the brokers and a property from the
        // --config file SLUICE_CONFIG names, another property from --properties-file.
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("\(uniqueName("cli")).conf")
        let properties = FileManager.default.temporaryDirectory.appendingPathComponent("\(uniqueName("cli")).properties")
        defer { for file in [config, properties] { try? FileManager.default.removeItem(at: file) } }
        try "bootstrap = \(broker.bootstrap)\nkafka.client.id = sluice-cli-test\n".write(to: config, atomically: true, encoding: .utf8)
        try "socket.timeout.ms = 20000\n".write(to: properties, atomically: true, encoding: .utf8)
        let fromFiles = try SluiceExecutable.run(
            ["checkpoints", "list", written.job, "--properties-file", properties.path], environment: ["SLUICE_CONFIG": config.path])
        XCTAssertEqual(fromFiles.status, 0, fromFiles.stderr)
        XCTAssertEqual(fromFiles.outputLines.first, lines.first)
        let header = lines.dropFirst().first.map { $0.split(separator: " ").map(String.init) }
        XCTAssertEqual(header, ["TASK", "SEQ", "KIND", "INPUT", "POSITION", "COMMITTED", "STATE", "LAST", "ENTRIES", "PIECES", "WRITER", "AGE"])
        let row = lines.count > 2 ? lines[2].split(separator: " ").map(String.init) : []
        XCTAssertEqual(Array(row.prefix(14)), [
            "0.0", "7", "incremental", "\(written.input)[0]", "17", "17", "ok", "1.5", "KiB", "512", "B", "9", "1", "hand",
        ])
        XCTAssertEqual(lines.suffix(2).map { $0.split(separator: " ").prefix(2).joined(separator: " ") }, ["0.1 none", "0.2 none"])

        let json = try sluice(["checkpoints", "list", written.job, "--json"] + connection)
        XCTAssertEqual(json.status, 0, json.stderr)
        let rows = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(rows.count, 3)
        let first = try XCTUnwrap(rows.first)
        XCTAssertEqual(first["job"] as? String, written.job)
        XCTAssertEqual(first["task"] as? String, "0.0")
        XCTAssertEqual(first["checkpoint_topic"] as? String, written.topic)
        XCTAssertEqual(first["pointer"] as? Int, 2)
        XCTAssertEqual(first["manifest_offset"] as? Int, 1)
        XCTAssertEqual(first["sequence"] as? Int, 7)
        XCTAssertEqual(first["kind"] as? String, "incremental")
        XCTAssertEqual(first["input_topic"] as? String, written.input)
        XCTAssertEqual(first["input_partition"] as? Int, 0)
        XCTAssertEqual(first["input_position"] as? Int, 17)
        XCTAssertEqual(first["committed_input_offset"] as? Int, 17)
        XCTAssertEqual(first["input_agrees"] as? Bool, true)
        XCTAssertEqual(first["state_bytes"] as? Int, 1_536)
        XCTAssertEqual(first["checkpoint_bytes"] as? Int, 512)
        XCTAssertEqual(first["checkpoint_entries"] as? Int, 9)
        XCTAssertEqual(first["pieces"] as? Int, 1)
        XCTAssertEqual(first["writer"] as? String, "hand")
        XCTAssertEqual(first["created_at"] as? Int, 1_767_225_600_000)
        XCTAssertGreaterThan(first["age_ms"] as? Int ?? 0, 0)
        XCTAssertNil(first["piece_offsets"], "list leaves out what only inspect shows")
        let none = rows[1]
        XCTAssertEqual(none["task"] as? String, "0.1")
        XCTAssertEqual(Set(none.keys), Set(first.keys), "every field is present in every row")
        XCTAssertTrue(none["sequence"] is NSNull && none["pointer"] is NSNull, "a task without checkpoint has null fields")

        let inspect = try sluice(["checkpoints", "inspect", written.job, "--task", "0.0"] + connection)
        print("[\(name)] sluice checkpoints inspect:\n\(inspect.stdout)")
        XCTAssertEqual(inspect.status, 0, inspect.stderr)
        for expected in [
            "\(written.topic)[0], pointer 2 (committed by group \(written.job))", "offset 1",
            "7, incremental; chain 000000000000c4a1 started at sequence 5", "000000000000feed",
            "2026-01-01T00:00:00.000Z by hand", "\(written.input)[0] resumes at 17; group committed 17 (agrees)",
            "1.5 KiB in 1 piece (the chain's full snapshot: 1.0 KiB)", "at offsets 0", "512 B, 9 entries written",
            "2 participants\n  0:source-watermarks  3 B\n  1:timers" + String(repeating: " ", count: 13) + "0 B",
        ] {
            XCTAssertTrue(inspect.stdout.contains(expected), "inspect shows '\(expected)'")
        }

        let detail = try sluice(["checkpoints", "inspect", written.job, "--task", "0.0", "--offset", "1", "--json"] + connection)
        XCTAssertEqual(detail.status, 0, detail.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(detail.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["piece_offsets"] as? [Int], [0])
        XCTAssertEqual(object["chain"] as? String, "000000000000c4a1")
        XCTAssertEqual(object["full_snapshot_bytes"] as? Int, 1_024)
        let scalars = try XCTUnwrap(object["scalars"] as? [[String: Any]])
        XCTAssertEqual(scalars.map { $0["participant"] as? String }, ["0:source-watermarks", "1:timers"])
        XCTAssertEqual(scalars.map { $0["bytes"] as? Int }, [3, 0])

        // The input offset moved by hand: the row and a closing line say so.
        try written.commit([TopicPartitionOffset(written.input, 0, offset: 20)], bootstrap: broker.bootstrap)
        let moved = try sluice(["checkpoints", "list", written.job] + connection)
        print("[\(name)] after moving the input offset:\n\(moved.stdout)")
        XCTAssertEqual(moved.status, 0, moved.stderr)
        let movedLines = moved.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(
            movedLines.count > 2 ? Array(movedLines[2].split(separator: " ").map(String.init)[4...6]) : [], ["17", "20", "MISMATCH"])
        XCTAssertTrue(movedLines.last?.hasPrefix("1 task (0.0) resumes at an input offset other than the group's") == true, moved.stdout)

        // Errors: one line on standard error, exit status 2, nothing on standard output.
        let unknown = uniqueName("no-such-job")
        try expectOperatorFailure(["checkpoints", "list", unknown] + connection, naming: [unknown, broker.bootstrap])
        try written.commit([TopicPartitionOffset(written.topic, 2, offset: 3)], bootstrap: broker.bootstrap)
        try expectOperatorFailure(
            ["checkpoints", "list", written.job] + connection,
            naming: ["task 0.2", "topic \(written.topic) partition 2 offset 2", "format version \(written.newerVersion)"])
        try expectOperatorFailure(
            ["checkpoints", "inspect", written.job, "--task", "0.0", "--offset", "0"] + connection,
            naming: ["topic \(written.topic) partition 0 offset 0", "not a Sluice checkpoint record"])
        try expectOperatorFailure(["checkpoints", "list", "any-job", "--bootstrap", "127.0.0.1:1", "--timeout", "2"], naming: ["127.0.0.1:1"])
    }

    // MARK: Helpers

    private func sluice(_ arguments: [String]) throws -> SluiceExecutable.Run {
        try SluiceExecutable.run(arguments)
    }
}
