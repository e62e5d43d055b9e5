import BrokerRig
import Foundation
import Sluice
import SluicePostgres
import XCTest

/// The sink's writer against a real PostgreSQL server (``TestPostgres``), driven through the
/// two-phase contract as the worker drives it: rows invisible until `COMMIT PREPARED`, recovery
/// finishing what a committed checkpoint names and rolling back the rest, at-least-once on a
/// server without prepared transactions, and the failures a user sees.
final class PostgresSinkTests: XCTestCase {
    private static let createTable = "CREATE TABLE IF NOT EXISTS rows (id bigint NOT NULL, label text)"

    private func makeSink(
        _ postgres: TestPostgres, url: String? = nil, mode: PostgresWriteMode = .insert,
        guarantee: PostgresSinkGuarantee = .exactlyOnce, batchRows: Int = 1_000
    ) throws -> PostgresSink<(Int, String?)> {
        try PostgresSink<(Int, String?)>(
            PostgresConnectionSettings(url: url ?? postgres.url), table: "rows", columns: ["id", "label"], mode: mode,
            guarantee: guarantee, batchRows: batchRows, setUp: [Self.createTable]
        ) { id, label in
            guard id >= 0 else { throw RowRefused() }
            return [.int64(Int64(id)), label.map(PostgresValue.text) ?? .null]
        }
    }

    struct RowRefused: Error {}

    func testExactlyOnceRowsAppearOnlyWithCommitPrepared() throws {
        let postgres = try TestPostgres.start()
        defer { postgres.stop() }
        let sink = try makeSink(postgres, batchRows: 400)
        defer { sink.close() }
        let harness = WriterHarness(sink: sink)
        let writer = try harness.makeWriter()
        try writer.recover(harness.recovery(from: nil, preCommitted: nil))
        // 1,000 rows in batches of 400: three statements, two of them sent before the checkpoint.
        try writer.write((0..<1_000).map { ($0, "row \($0)") })
        XCTAssertEqual(try postgres.count("rows"), 0, "nothing visible while the transaction is open")
        let first = harness.attempt(1)
        try writer.prepare(first)
        XCTAssertEqual(try postgres.preparedTransactions(), [first.name], "prepared under the attempt's name")
        XCTAssertEqual(try postgres.count("rows"), 0, "nothing visible while prepared")
        let preCommitted = try writer.preCommit(first)
        XCTAssertEqual(preCommitted.map { String(decoding: $0, as: UTF8.self) }, first.name)
        try writer.commit(first, preCommitted: preCommitted)
        XCTAssertEqual(try postgres.count("rows"), 1_000)
        XCTAssertEqual(try postgres.preparedTransactions(), [])
        // Phase two again (a retried commit, a recovery after it): already committed is fine.
        try writer.commit(first, preCommitted: preCommitted)
        // A checkpoint without rows prepares nothing and pre-commits nothing.
        let empty = harness.attempt(2)
        try writer.prepare(empty)
        XCTAssertNil(try writer.preCommit(empty))
        XCTAssertEqual(try postgres.preparedTransactions(), [])
        try writer.write([(1_000, nil)])
        try harness.checkpoint(writer, harness.attempt(3))
        XCTAssertEqual(try postgres.lines("SELECT id, label FROM rows WHERE id >= 998"), ["1000\tNULL", "998\trow 998", "999\trow 999"])
    }

    /// A worker died after its Kafka transaction committed checkpoint 1 and before its
    /// `COMMIT PREPARED`, having already prepared checkpoint 2 (never committed). The task's
    /// next writer commits 1, rolls 2 back, and leaves another task's prepared work alone.
    func testRecoveryCommitsWhatTheCheckpointNamesAndRollsBackTheRest() throws {
        let postgres = try TestPostgres.start()
        defer { postgres.stop() }
        let sink = try makeSink(postgres)
        defer { sink.close() }
        let harness = WriterHarness(sink: sink)
        let other = WriterHarness(sink: sink, task: TaskID(stage: 1, partition: 1))
        var dying: (any SinkWriter<(Int, String?)>)? = try harness.makeWriter()
        try dying!.recover(harness.recovery(from: nil, preCommitted: nil))
        try dying!.write([(1, "committed by the manifest")])
        let first = harness.attempt(1)
        try dying!.prepare(first)
        let named = try dying!.preCommit(first)
        try dying!.write([(2, "never committed")])
        try dying!.prepare(harness.attempt(2))
        let neighbour = try other.makeWriter()
        try neighbour.recover(other.recovery(from: nil, preCommitted: nil))
        try neighbour.write([(3, "another task's")])
        try neighbour.prepare(other.attempt(1))
        dying = nil
        XCTAssertEqual(Set(try postgres.preparedTransactions()), [first.name, harness.attempt(2).name, other.attempt(1).name])

        let successor = try harness.makeWriter()
        try successor.recover(harness.recovery(from: first, preCommitted: named))
        XCTAssertEqual(try postgres.lines("SELECT id, label FROM rows"), ["1\tcommitted by the manifest"])
        XCTAssertEqual(try postgres.preparedTransactions(), [other.attempt(1).name], "the other task's work is its own recovery's")
        // Recovering again (a second crash before any checkpoint) changes nothing.
        try harness.makeWriter().recover(harness.recovery(from: first, preCommitted: named))
        XCTAssertEqual(try postgres.count("rows"), 1)
        // A task that never committed a checkpoint rolls back all of its prepared work.
        try other.makeWriter().recover(other.recovery(from: nil, preCommitted: nil))
        XCTAssertEqual(try postgres.preparedTransactions(), [])
        XCTAssertEqual(try postgres.count("rows"), 1)
    }

    func testAbortRollsBackTheOpenTransactionAndLeavesPreparedWorkToRecovery() throws {
        let postgres = try TestPostgres.start()
        defer { postgres.stop() }
        let sink = try makeSink(postgres)
        defer { sink.close() }
        let harness = WriterHarness(sink: sink)
        let writer = try harness.makeWriter()
        try writer.recover(harness.recovery(from: nil, preCommitted: nil))
        try writer.write([(1, "aborted while open")])
        writer.abort(harness.attempt(1))
        try writer.write([(2, "kept")])
        try harness.checkpoint(writer, harness.attempt(1, incarnation: 2))
        XCTAssertEqual(try postgres.lines("SELECT id FROM rows"), ["2"])
        // Prepared, then the decision failed: the abort cannot know whether the job's
        // transaction committed, so the prepared transaction waits for the next recovery.
        try writer.write([(3, "prepared, then aborted")])
        let attempt = harness.attempt(2, incarnation: 2)
        try writer.prepare(attempt)
        writer.abort(attempt)
        XCTAssertEqual(try postgres.preparedTransactions(), [attempt.name])
        try harness.makeWriter().recover(harness.recovery(from: harness.attempt(1, incarnation: 2), preCommitted: nil))
        XCTAssertEqual(try postgres.preparedTransactions(), [])
        XCTAssertEqual(try postgres.lines("SELECT id FROM rows"), ["2"])
    }

    func testUpsertKeepsTheLastRowOfEachKey() throws {
        let postgres = try TestPostgres.start()
        defer { postgres.stop() }
        _ = try postgres.query("CREATE TABLE rows (id bigint PRIMARY KEY, label text)")
        let sink = try makeSink(postgres, mode: .upsert(key: ["id"]), batchRows: 3)
        defer { sink.close() }
        let harness = WriterHarness(sink: sink)
        let writer = try harness.makeWriter()
        try writer.recover(harness.recovery(from: nil, preCommitted: nil))
        // Key 1 twice within one batch of three, key 2 across batches and checkpoints.
        try writer.write([(1, "a"), (1, "b"), (2, "c"), (3, "d"), (2, "e")])
        try harness.checkpoint(writer, harness.attempt(1))
        try writer.write([(3, "f"), (4, nil)])
        try harness.checkpoint(writer, harness.attempt(2))
        XCTAssertEqual(try postgres.lines("SELECT id, label FROM rows"), ["1\tb", "2\te", "3\tf", "4\tNULL"])
    }

    func testARowTheMappingRefusesIsRejectedWithItsIndex() throws {
        let postgres = try TestPostgres.start()
        defer { postgres.stop() }
        let sink = try makeSink(postgres)
        defer { sink.close() }
        let harness = WriterHarness(sink: sink)
        let writer = try harness.makeWriter()
        try writer.recover(harness.recovery(from: nil, preCommitted: nil))
        XCTAssertThrowsError(try writer.write([(1, "a"), (-1, "refused"), (2, "not attempted")])) { error in
            guard let rejection = error as? RecordRejected else { return XCTFail("\(error) is no RecordRejected") }
            XCTAssertEqual(rejection.index, 1)
            XCTAssertTrue("\(rejection.underlying)".contains("rows"), "\(rejection.underlying) names the table")
        }
        try writer.write([(2, "after the refused one")])
        try harness.checkpoint(writer, harness.attempt(1))
        XCTAssertEqual(try postgres.lines("SELECT id FROM rows"), ["1", "2"])
    }

    struct Reading: Codable {
        enum Unit: String, Codable { case celsius, fahrenheit }
        struct Place: Codable { var room: String; var floor: Int }
        var sensor: String
        var value: Double
        var unit: Unit
        var taken: Date
        var place: Place
        var note: String?
    }

    func testCodableElementsFillTheColumnsOfTheirFieldNames() throws {
        let postgres = try TestPostgres.start()
        defer { postgres.stop() }
        _ = try postgres.query("CREATE TABLE readings (sensor text, value double precision, unit text, taken timestamptz, place jsonb, note text)")
        let sink = try PostgresSink<Reading>(
            PostgresConnectionSettings(url: postgres.url), table: "readings",
            columns: ["sensor", "value", "unit", "taken", "place", "note"])
        defer { sink.close() }
        let harness = WriterHarness(sink: sink)
        let writer = try harness.makeWriter()
        try writer.recover(harness.recovery(from: nil, preCommitted: nil))
        try writer.write([
            Reading(sensor: "s1", value: 21.5, unit: .celsius, taken: Date(timeIntervalSince1970: 1_700_000_000),
                    place: .init(room: "lab", floor: 2), note: nil),
            Reading(sensor: "s2", value: -4, unit: .fahrenheit, taken: Date(timeIntervalSince1970: 1_700_000_060),
                    place: .init(room: "roof", floor: 9), note: "windy"),
        ])
        try harness.checkpoint(writer, harness.attempt(1))
        XCTAssertEqual(
            try postgres.lines("SELECT sensor, value, unit, extract(epoch FROM taken)::bigint, place->>'room', place->>'floor', note FROM readings"),
            ["s1\t21.5\tcelsius\t1700000000\tlab\t2\tNULL", "s2\t-4\tfahrenheit\t1700000060\troof\t9\twindy"])
        // A field without a column is refused, not dropped.
        let narrow = try PostgresSink<Reading>(
            PostgresConnectionSettings(url: postgres.url), table: "readings", columns: ["sensor", "value"])
        defer { narrow.close() }
        let narrowWriter = try WriterHarness(sink: narrow).makeWriter()
        XCTAssertThrowsError(try narrowWriter.write([
            Reading(sensor: "s3", value: 1, unit: .celsius, taken: Date(), place: .init(room: "x", floor: 0), note: nil),
        ])) { error in
            XCTAssertTrue("\(error)".contains("the field unit has no column"), "\(error)")
        }
    }

    func testExactlyOnceIsRefusedWithoutPreparedTransactionsAndAtLeastOnceWorks() throws {
        let postgres = try TestPostgres.start(maxPreparedTransactions: 0)
        defer { postgres.stop() }
        let exactlyOnce = try makeSink(postgres)
        defer { exactlyOnce.close() }
        let harness = WriterHarness(sink: exactlyOnce)
        XCTAssertThrowsError(try harness.makeWriter().recover(harness.recovery(from: nil, preCommitted: nil))) { error in
            let line = "\(error)"
            XCTAssertTrue((error as? PostgresSinkError)?.isFatal == true, "\(error) stops the job")
            XCTAssertTrue(line.contains("max_prepared_transactions = 0"), line)
            XCTAssertTrue(line.contains(postgres.server), "\(line) names \(postgres.server)")
            XCTAssertFalse(line.contains("\n"), "one line: \(line)")
        }
        // At-least-once, chosen explicitly: committed at each checkpoint, nothing to recover.
        let atLeastOnce = try makeSink(postgres, guarantee: .atLeastOnce)
        defer { atLeastOnce.close() }
        let lenient = WriterHarness(sink: atLeastOnce)
        let writer = try lenient.makeWriter()
        try writer.recover(lenient.recovery(from: nil, preCommitted: nil))
        try writer.write([(1, "a"), (2, "b")])
        let attempt = lenient.attempt(1)
        try writer.prepare(attempt)
        XCTAssertNil(try writer.preCommit(attempt))
        XCTAssertEqual(try postgres.count("rows"), 2, "committed at prepare, before the job commits its positions")
        // A job run at-least-once gets an at-least-once sink, whatever the sink asks.
        let jobAtLeastOnce = WriterHarness(sink: exactlyOnce, task: TaskID(stage: 1, partition: 1), guarantee: .atLeastOnce)
        let jobWriter = try jobAtLeastOnce.makeWriter()
        try jobWriter.recover(jobAtLeastOnce.recovery(from: nil, preCommitted: nil))
        try jobWriter.write([(3, "c")])
        try jobAtLeastOnce.checkpoint(jobWriter, jobAtLeastOnce.attempt(1))
        XCTAssertEqual(try postgres.count("rows"), 3)
    }

    func testThePasswordIsPassedAndNeverShown() throws {
        let password = "pw-\(UUID().uuidString.prefix(8))"
        let postgres = try TestPostgres.start(password: password)
        defer { postgres.stop() }
        let port = try XCTUnwrap(URLComponents(string: postgres.url)?.port)
        let good = "postgresql://sluice:\(password)@127.0.0.1:\(port)/sluice"
        let settings = try PostgresConnectionSettings(url: good)
        XCTAssertFalse(settings.description.contains(password), settings.description)
        let sink = try makeSink(postgres, url: good)
        defer { sink.close() }
        let harness = WriterHarness(sink: sink)
        let writer = try harness.makeWriter()
        try writer.recover(harness.recovery(from: nil, preCommitted: nil))
        try writer.write([(1, "with a password")])
        try harness.checkpoint(writer, harness.attempt(1))
        XCTAssertEqual(try postgres.count("rows"), 1)
        // From PGPASSWORD, as libpq takes it.
        let fromEnvironment = try PostgresConnectionSettings(url: postgres.url, environment: ["PGPASSWORD": password])
        XCTAssertEqual(fromEnvironment.password, password)

        let wrong = "\(password)-wrong"
        let refused = try makeSink(postgres, url: "postgresql://sluice:\(wrong)@127.0.0.1:\(port)/sluice")
        defer { refused.close() }
        let refusedHarness = WriterHarness(sink: refused)
        XCTAssertThrowsError(try refusedHarness.makeWriter().recover(refusedHarness.recovery(from: nil, preCommitted: nil))) { error in
            let line = "\(error)"
            XCTAssertTrue((error as? PostgresSinkError)?.isFatal == true, "refused credentials stop the job: \(line)")
            XCTAssertTrue(line.contains(postgres.server), line)
            XCTAssertFalse(line.contains(password), "no password in: \(line)")
        }
        let none = try makeSink(postgres, url: postgres.url)
        defer { none.close() }
        let noneHarness = WriterHarness(sink: none)
        XCTAssertThrowsError(try noneHarness.makeWriter().recover(noneHarness.recovery(from: nil, preCommitted: nil))) { error in
            XCTAssertTrue("\(error)".contains("asks for a password"), "\(error)")
        }
    }

    /// The test server offers no TLS: `require` refuses to go on without it, `prefer` goes on.
    func testTLSSettingsArePassedThrough() throws {
        let postgres = try TestPostgres.start()
        defer { postgres.stop() }
        let required = try makeSink(postgres, url: postgres.url + "?sslmode=require")
        defer { required.close() }
        let harness = WriterHarness(sink: required)
        XCTAssertThrowsError(try harness.makeWriter().recover(harness.recovery(from: nil, preCommitted: nil))) { error in
            let line = "\(error)"
            XCTAssertTrue((error as? PostgresSinkError)?.isFatal == true, "\(line) stops the job")
            XCTAssertTrue(line.contains("PostgreSQL at \(postgres.server) refused the connection"), line)
            XCTAssertTrue(line.contains("does not support TLS, which sslmode require requires"), line)
        }
        let preferred = try makeSink(postgres, url: postgres.url + "?sslmode=prefer")
        defer { preferred.close() }
        let lenient = WriterHarness(sink: preferred)
        let writer = try lenient.makeWriter()
        try writer.recover(lenient.recovery(from: nil, preCommitted: nil))
        try writer.write([(1, "without TLS, as preferred")])
        try lenient.checkpoint(writer, lenient.attempt(1))
        XCTAssertEqual(try postgres.count("rows"), 1)
    }

    func testAServerThatIsDownOrRestartsFailsRetriablyAndNamesItself() throws {
        let postgres = try TestPostgres.start()
        defer { postgres.stop() }
        // One row per statement: the row is sent, in an open transaction, before the restart.
        let sink = try makeSink(postgres, batchRows: 1)
        defer { sink.close() }
        let harness = WriterHarness(sink: sink)
        let writer = try harness.makeWriter()
        try writer.recover(harness.recovery(from: nil, preCommitted: nil))
        try writer.write([(1, "in a transaction the restart ends")])
        try postgres.stopServer()
        try postgres.startServer()
        XCTAssertThrowsError(try writer.prepare(harness.attempt(1))) { error in
            XCTAssertTrue((error as? PostgresSinkError)?.isFatal == false, "retriable: \(error)")
            XCTAssertTrue("\(error)".contains(postgres.server), "\(error)")
        }
        writer.abort(harness.attempt(1))
        try postgres.stopServer()
        let rebuilt = try harness.makeWriter()
        XCTAssertThrowsError(try rebuilt.recover(harness.recovery(from: nil, preCommitted: nil))) { error in
            let line = "\(error)"
            XCTAssertTrue((error as? PostgresSinkError)?.isFatal == false, "retriable: \(line)")
            XCTAssertTrue(line.contains("PostgreSQL at \(postgres.server) unreachable"), line)
            XCTAssertFalse(line.contains("\n"), line)
        }
        try postgres.startServer()
        try rebuilt.recover(harness.recovery(from: nil, preCommitted: nil))
        try rebuilt.write([(2, "after the restart")])
        try harness.checkpoint(rebuilt, harness.attempt(1, incarnation: 2))
        XCTAssertEqual(try postgres.lines("SELECT id FROM rows"), ["2"])
    }
}
