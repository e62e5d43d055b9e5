import BrokerRig
import Foundation
import RdKafka
import XCTest

/// `sluice audit`, the built executable, on a Tansu topic of 3 partitions holding a mix the
/// test produced itself: committed transactions and an aborted one (gzip), plain records, and
/// an open transaction kept open while the audits run, with committed and plain records behind
/// it. Every figure of the table and of --json, and the duplicates by key and value, by key and
/// by a JSON field, are checked against what the test produced; "duplicates" that only aborted,
/// open or hidden records would make must not count. The per-partition figures are
/// cross-checked against scripts/verify.py's own audit, which reads gzip but not lz4, zstd or
/// snappy (kafka-python-ng without their Python libraries); those three are audited on a
/// topic of their own, written by librdkafka, against what the test produced. On librdkafka
/// 2.16's mock cluster of 3 brokers the audit reads partitions from different leaders and
/// agrees with the mock's read_committed share consumer.
final class AuditCommandTests: KafkaJobTestCase {
    /// A record the test produces: partition, key, and the `order` field of its JSON value
    /// (`nil`: a value that is not JSON).
    private struct Produced: Hashable {
        var partition: Int32
        var key: String?
        var order: Int?

        var value: String {
            guard let order else { return "not json" }
            return #"{"item":"\#(key ?? "none")","order":\#(order)}"#
        }
    }

    private func r(_ partition: Int32, _ key: String?, _ order: Int?) -> Produced { Produced(partition: partition, key: key, order: order) }

    func testAuditOfAKnownMix() throws {
        guard try runsOnLibrdkafka216() else { return }
        let (broker, admin) = try startTansu()
        defer { broker.stop() }
        let topic = uniqueName("audited")
        try admin.createTopic(topic, partitions: 3)

        let committer = try transactionalProducer(broker.bootstrap, id: uniqueName("committer"), compression: .gzip)
        let aborter = try transactionalProducer(broker.bootstrap, id: uniqueName("aborter"), compression: .gzip)
        let opener = try transactionalProducer(broker.bootstrap, id: uniqueName("opener"), compression: nil)
        let plain = try KafkaProducer(configuration: ProducerConfiguration(bootstrapServers: broker.bootstrap))

        // 1. Committed: the first copies of a{1}, c{3} and f{6}.
        let committed1 = [r(0, "a", 1), r(0, "b", 2), r(0, "c", 3), r(1, "d", 4), r(1, "e", 5), r(2, "f", 6)]
        try transaction(committer, topic, committed1, commit: true)
        // 2. Plain: a{1} again (a duplicate by key and value), g{7}, a value that is not JSON.
        let plain1 = [r(0, "a", 1), r(2, "g", 7), r(2, "x", nil), r(1, "h", 8)]
        try send(plain, topic, plain1)
        // 3. Aborted: a copy of b{2}, and z{99} twice: none of it may count.
        let aborted = [r(0, "b", 2), r(2, "z", 99), r(2, "z", 99)]
        try transaction(aborter, topic, aborted, commit: false)
        // 4. Committed: c again with another order (a duplicate by key only), i with f's order 6.
        let committed2 = [r(0, "c", 30), r(2, "i", 6)]
        try transaction(committer, topic, committed2, commit: true)
        // 5. Open in partition 1, kept open: a copy of d{4}, and o.
        let open = [r(1, "d", 4), r(1, "o", 100)]
        try opener.beginTransaction()
        try send(opener, topic, open)
        // 6. Plain behind the open transaction (e{5} again: hidden, so no duplicate), and a
        //    record without a key whose order 7 repeats g's.
        let plain2 = [r(1, "e", 5), r(2, nil, 7)]
        try send(plain, topic, plain2)
        // 7. Committed: k in partition 1 (behind the open transaction) and in partition 0.
        let committed3 = [r(1, "k", 11), r(0, "k", 12)]
        try transaction(committer, topic, committed3, commit: true)

        // What a read_committed reader sees now: partition 1 stops at the open transaction, so
        // the second e{5} and k{11} are hidden.
        let hidden = [plain2[0], committed3[0]]
        let visible = committed1 + plain1 + committed2 + [plain2[1], committed3[1]]
        let committedAll = committed1 + committed2 + committed3
        let plainAll = plain1 + plain2
        XCTAssertEqual(visible.count, 14)
        func count(_ records: [Produced], _ partition: Int32) -> Int { records.filter { $0.partition == partition }.count }
        // Per partition: transactions committed/aborted/open, records committed, aborted, open,
        // plain, hidden, visible.
        struct Expected: Equatable {
            var transactions: [Int]
            var records: [Int]
        }
        let expected: [Int32: Expected] = [
            0: Expected(transactions: [3, 1, 0], records: [5, 1, 0, 1, 0, 6]),
            1: Expected(transactions: [2, 0, 1], records: [3, 0, 2, 2, 2, 3]),
            2: Expected(transactions: [2, 1, 0], records: [2, 2, 0, 3, 0, 5]),
        ]
        for partition: Int32 in 0..<3 {
            let records = expected[partition]!.records
            XCTAssertEqual(records[0], count(committedAll, partition), "the table above agrees with what was produced")
            XCTAssertEqual(records[1], count(aborted, partition))
            XCTAssertEqual(records[2], count(open, partition))
            XCTAssertEqual(records[3], count(plainAll, partition))
            XCTAssertEqual(records[4], count(hidden, partition))
            XCTAssertEqual(records[5], count(visible, partition))
        }

        // The independent audit (verify.py): its visible records are exactly those above, and
        // give the offsets the duplicate groups must name.
        let verifier = try Verifier.audit(broker: .tansu, bootstrap: broker.bootstrap, topic: topic, view: .now)
        let stats = try XCTUnwrap(verifier.stats)
        let seen = verifier.records.map { record in
            (record, r(record.partition, record.keyString, Self.order(record.valueString)))
        }
        XCTAssertEqual(seen.map(\.1).sorted(by: Self.ordered), visible.sorted(by: Self.ordered), "verify.py sees what the test produced")
        XCTAssertTrue(seen.allSatisfy { $0.0.valueString == $0.1.value }, "values as produced")
        func positions(_ produced: Produced) -> [String] {
            seen.filter { $0.1 == produced }.map { "\($0.0.partition)@\($0.0.offset)" }
        }

        // 2. The default: duplicates by key and value, exit 1.
        let json = try runAudit(topic, broker.bootstrap, ["--json"], status: 1)
        XCTAssertEqual(json["topic"] as? String, topic)
        XCTAssertEqual(json["bootstrap"] as? String, broker.bootstrap)
        let rows = try XCTUnwrap(json["partitions"] as? [[String: Any]])
        XCTAssertEqual(rows.map { $0["partition"] as? Int }, [0, 1, 2])
        for (row, verified) in zip(rows, stats.partitions) {
            let partition = Int32(row["partition"] as? Int ?? -1)
            let want = try XCTUnwrap(expected[partition])
            let transactions = try XCTUnwrap(row["transactions"] as? [String: Int])
            let records = try XCTUnwrap(row["records"] as? [String: Int])
            XCTAssertEqual(
                Expected(transactions: [transactions["committed"], transactions["aborted"], transactions["open"]].map { $0 ?? -1 },
                         records: ["committed", "aborted", "open", "plain", "hidden_behind_lso", "visible"].map { records[$0] ?? -1 }),
                want, "partition \(partition)")
            // verify.py's audit of the same topic.
            XCTAssertEqual(verified.partition, partition)
            XCTAssertEqual((row["last_stable_offset"] as? Int).map(Int64.init), verified.lastStableOffset, "partition \(partition)")
            XCTAssertEqual((row["log_end_offset"] as? Int).map(Int64.init), verified.logEndOffset, "partition \(partition)")
            XCTAssertEqual((row["high_watermark"] as? Int).map(Int64.init), verified.highWatermark, "partition \(partition)")
            XCTAssertEqual(
                [transactions["committed"], transactions["aborted"], transactions["open"]],
                [verified.transactions.committed, verified.transactions.aborted, verified.transactions.open])
            XCTAssertEqual(
                ["committed", "aborted", "open", "plain", "hidden_behind_lso"].map { records[$0] },
                [verified.records.committed, verified.records.aborted, verified.records.open, verified.records.plain,
                 verified.records.hiddenBehindLSO])
        }
        // Partition 1's last stable offset is the open transaction's first offset: below its log
        // end, and above every visible record there.
        let lso1 = try XCTUnwrap(rows[1]["last_stable_offset"] as? Int)
        XCTAssertLessThan(lso1, try XCTUnwrap(rows[1]["log_end_offset"] as? Int))
        XCTAssertTrue(seen.filter { $0.0.partition == 1 }.allSatisfy { $0.0.offset < lso1 })
        XCTAssertEqual(rows[0]["last_stable_offset"] as? Int, rows[0]["log_end_offset"] as? Int, "nothing open in partition 0")
        XCTAssertEqual(json["transactions"] as? [String: Int], ["committed": 7, "aborted": 2, "open": 1])
        XCTAssertEqual(json["records"] as? [String: Int],
                       ["committed": 10, "aborted": 3, "open": 2, "plain": 6, "hidden_behind_lso": 2, "visible": 14])
        let keyAndValue = try XCTUnwrap(json["duplicates"] as? [String: Any])
        XCTAssertEqual(keyAndValue["by"] as? String, "key_and_value")
        XCTAssertTrue(keyAndValue["field"] is NSNull)
        XCTAssertEqual(keyAndValue["group_count"] as? Int, 1)
        XCTAssertEqual(keyAndValue["extra_copies"] as? Int, 1)
        XCTAssertEqual(keyAndValue["incomparable"] as? Int, 0)
        XCTAssertTrue(keyAndValue["first_incomparable"] is NSNull)
        let kvGroups = try XCTUnwrap(keyAndValue["groups"] as? [[String: Any]])
        XCTAssertEqual(kvGroups.map(Self.copies), [positions(r(0, "a", 1))])
        XCTAssertEqual(positions(r(0, "a", 1)).count, 2)
        XCTAssertEqual(kvGroups.first?["key"] as? String, "a")
        XCTAssertEqual(kvGroups.first?["value"] as? String, r(0, "a", 1).value)
        XCTAssertEqual(kvGroups.first?["value_b64"] as? String, Data(r(0, "a", 1).value.utf8).base64EncodedString())
        XCTAssertTrue(kvGroups.first?["field_value"] is NSNull)

        // The same as a table.
        let text = try SluiceExecutable.run(["audit", topic, "--bootstrap", broker.bootstrap])
        print("[\(name)] sluice audit \(topic):\n\(text.stdout)")
        XCTAssertEqual(text.status, 1, text.stderr)
        let lines = text.outputLines
        XCTAssertEqual(lines.first, "topic \(topic) at \(broker.bootstrap): 3 partitions, a read_committed reader sees 14 records now")
        XCTAssertEqual(lines.dropFirst().first?.split(separator: " ", omittingEmptySubsequences: true),
                       ["PARTITION", "LOG", "END", "LSO", "TXN", "C/A/O", "COMMITTED", "ABORTED", "OPEN", "PLAIN", "HIDDEN", "VISIBLE"])
        for (index, row) in rows.enumerated() {
            let want = expected[Int32(index)]!
            let cells = [String(index), "\(row["log_end_offset"] as? Int ?? -1)", "\(row["last_stable_offset"] as? Int ?? -1)",
                         want.transactions.map(String.init).joined(separator: "/")] + want.records.map(String.init)
            XCTAssertEqual(Self.cells(lines[2 + index]), cells)
        }
        XCTAssertEqual(Self.cells(lines[5]), ["total", "7/2/1", "10", "3", "2", "6", "2", "14"])
        XCTAssertEqual(Array(lines.dropFirst(6)), [
            "1 duplicate group by key and value, 1 extra copy:",
            "  key \"a\" value \(Self.quoted(r(0, "a", 1).value)): \(positions(r(0, "a", 1)).joined(separator: ", "))",
        ])

        // 3. By key: a twice, c twice; k, d, e and b have one visible copy each. The record
        //    without a key is named, not compared.
        let byKey = try runAudit(topic, broker.bootstrap, ["--key", "--json"], status: 1)
        let keyReport = try XCTUnwrap(byKey["duplicates"] as? [String: Any])
        let nullKey = try XCTUnwrap(positions(r(2, nil, 7)).first)
        XCTAssertEqual(keyReport["by"] as? String, "key")
        XCTAssertEqual((keyReport["groups"] as? [[String: Any]])?.map(Self.copies),
                       [positions(r(0, "a", 1)), positions(r(0, "c", 3)) + positions(r(0, "c", 30))])
        XCTAssertEqual((keyReport["groups"] as? [[String: Any]])?.map { $0["key"] as? String }, ["a", "c"])
        XCTAssertTrue((keyReport["groups"] as? [[String: Any]])?.allSatisfy { $0["value"] is NSNull } ?? false)
        XCTAssertEqual(keyReport["extra_copies"] as? Int, 2)
        XCTAssertEqual(keyReport["incomparable"] as? Int, 1)
        XCTAssertEqual(Self.position(keyReport["first_incomparable"]), nullKey)
        let keyText = try SluiceExecutable.run(["audit", topic, "--key", "--bootstrap", broker.bootstrap])
        XCTAssertEqual(keyText.status, 1, keyText.stderr)
        XCTAssertEqual(Array(keyText.outputLines.dropFirst(6)), [
            "2 duplicate groups by key, 2 extra copies:",
            "  key \"a\": \(positions(r(0, "a", 1)).joined(separator: ", "))",
            "  key \"c\": \((positions(r(0, "c", 3)) + positions(r(0, "c", 30))).joined(separator: ", "))",
            "1 record without a key, not compared (the first at \(nullKey))",
        ])

        // 4. By the JSON field order: 1 (a, a), 6 (f, i), 7 (g, the keyless record); the value
        //    that is not JSON is named, not compared.
        let byField = try runAudit(topic, broker.bootstrap, ["--field", "order", "--json"], status: 1)
        let fieldReport = try XCTUnwrap(byField["duplicates"] as? [String: Any])
        let notJSON = try XCTUnwrap(positions(r(2, "x", nil)).first)
        XCTAssertEqual(fieldReport["by"] as? String, "field")
        XCTAssertEqual(fieldReport["field"] as? String, "order")
        let fieldGroups = try XCTUnwrap(fieldReport["groups"] as? [[String: Any]])
        XCTAssertEqual(fieldGroups.map(Self.copies),
                       [positions(r(0, "a", 1)), positions(r(2, "f", 6)) + positions(r(2, "i", 6)),
                        positions(r(2, "g", 7)) + positions(r(2, nil, 7))])
        XCTAssertEqual(fieldGroups.map { $0["field_value"] as? String }, ["1", "6", "7"])
        XCTAssertEqual(fieldReport["extra_copies"] as? Int, 3)
        XCTAssertEqual(fieldReport["incomparable"] as? Int, 1)
        XCTAssertEqual(Self.position(fieldReport["first_incomparable"]), notJSON)
        let fieldText = try SluiceExecutable.run(["audit", topic, "--field", "order", "--bootstrap", broker.bootstrap])
        XCTAssertEqual(fieldText.status, 1, fieldText.stderr)
        XCTAssertEqual(Array(fieldText.outputLines.dropFirst(6)), [
            "3 duplicate groups by field order, 3 extra copies:",
            "  order = 1: \(positions(r(0, "a", 1)).joined(separator: ", "))",
            "  order = 6: \((positions(r(2, "f", 6)) + positions(r(2, "i", 6))).joined(separator: ", "))",
            "  order = 7: \((positions(r(2, "g", 7)) + positions(r(2, nil, 7))).joined(separator: ", "))",
            "1 record whose value is not a JSON object with field order, not compared (the first at \(notJSON))",
        ])

        // 5. A field no value has: nothing to compare, no duplicates, exit 0.
        let missing = try SluiceExecutable.run(["audit", topic, "--field", "absent", "--bootstrap", broker.bootstrap])
        XCTAssertEqual(missing.status, 0, missing.stderr)
        let firstVisible = try XCTUnwrap(seen.map { "\($0.0.partition)@\($0.0.offset)" }.first)
        XCTAssertEqual(Array(missing.outputLines.dropFirst(6)), [
            "no duplicates by field absent",
            "14 records whose value is not a JSON object with field absent, not compared (the first at \(firstVisible))",
        ])

        // The open transaction was open throughout.
        XCTAssertEqual(try runAudit(topic, broker.bootstrap, ["--json"], status: 1)["transactions"] as? [String: Int],
                       ["committed": 7, "aborted": 2, "open": 1], "still open at the end")
        try opener.abortTransaction()

        // 6. Failures: one line, exit 2, nothing created, no secret printed.
        let unknown = uniqueName("no-such-topic")
        for _ in 0..<2 {  // twice: the first audit must not have created the topic
            try expectOperatorFailure(["audit", unknown, "--bootstrap", broker.bootstrap], naming: ["topic \(unknown) does not exist", broker.bootstrap])
        }
        try expectOperatorFailure(["audit", topic, "--bootstrap", "127.0.0.1:1", "--timeout", "2"], naming: ["cannot reach Kafka at 127.0.0.1:1"])
        let refused = try expectOperatorFailure(
            ["audit", topic, "--bootstrap", broker.bootstrap, "--property", "sasl.password=hunter2", "--property", "security.protocol=SASL_SSL"],
            naming: ["PLAINTEXT only", "sasl.password"])
        XCTAssertFalse(refused.contains("hunter2"), refused)
        try expectOperatorFailure(["audit", topic, "--bootstrap", broker.bootstrap, "--property", "security.protocol=ssl"],
                                  naming: ["PLAINTEXT only", "security.protocol=SSL"])
    }

    /// lz4, zstd and snappy as librdkafka writes them: per codec a committed transaction and
    /// plain records, each holding the same long key and value (so one duplicate group of 6
    /// copies proves every codec decoded byte for byte) and a record of its own.
    func testEveryCodecAsLibrdkafkaWritesIt() throws {
        guard try runsOnLibrdkafka216() else { return }
        let (broker, admin) = try startTansu()
        defer { broker.stop() }
        let topic = uniqueName("codecs")
        try admin.createTopic(topic, partitions: 1)
        let payload = Array(String(repeating: "a value that compresses well; ", count: 100).utf8)
        let codecs: [ProducerConfiguration.Compression] = [.lz4, .zstd, .snappy]
        for codec in codecs {
            let transactional = try transactionalProducer(broker.bootstrap, id: uniqueName("\(codec)"), compression: codec)
            try transactional.beginTransaction()
            for key in ["same", "txn-\(codec)"] { try transactional.send(topic: topic, partition: 0, key: Array(key.utf8), value: payload) }
            try transactional.commitTransaction()
            var configuration = ProducerConfiguration(bootstrapServers: broker.bootstrap)
            configuration.compression = codec
            let plain = try KafkaProducer(configuration: configuration)
            for key in ["same", "plain-\(codec)"] { try plain.send(topic: topic, partition: 0, key: Array(key.utf8), value: payload) }
            try plain.flush()
        }
        let run = try SluiceExecutable.run(["audit", topic, "--bootstrap", broker.bootstrap, "--json", "--verbose"])
        XCTAssertEqual(run.status, 1, run.stderr)
        print("[\(name)] batches:\n\(run.stderr)")
        for codec in codecs {
            XCTAssertEqual(run.errorLines.filter { $0.hasSuffix("records 2 \(codec): committed") }.count, 1, "\(codec) transaction")
            XCTAssertEqual(run.errorLines.filter { $0.hasSuffix("records 2 \(codec): plain") }.count, 1, "\(codec) plain batch")
        }
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(report["transactions"] as? [String: Int], ["committed": 3, "aborted": 0, "open": 0])
        XCTAssertEqual(report["records"] as? [String: Int],
                       ["committed": 6, "aborted": 0, "open": 0, "plain": 6, "hidden_behind_lso": 0, "visible": 12])
        let duplicates = try XCTUnwrap(report["duplicates"] as? [String: Any])
        let groups = try XCTUnwrap(duplicates["groups"] as? [[String: Any]])
        XCTAssertEqual(groups.count, 1)
        XCTAssertEqual(groups.first?["key"] as? String, "same")
        XCTAssertEqual(groups.first?["value_b64"] as? String, Data(payload).base64EncodedString())
        let copies = groups.first.map(Self.copies) ?? []
        XCTAssertEqual(copies.count, 6)
        XCTAssertTrue(copies.allSatisfy { $0.hasPrefix("0@") })
        XCTAssertEqual(duplicates["extra_copies"] as? Int, 5)
    }

    /// librdkafka 2.16's mock cluster with 3 brokers, whose partitions have different leaders:
    /// the audit reads each from its own leader (a fetch from any other broker fails), and
    /// what it finds visible agrees with a share consumer the mock serves read_committed
    /// (scripts/verify.py), down to the offsets of the duplicate copies. Then an open
    /// transaction hides a plain record behind it.
    func testAuditAcrossThreeLeadersOnTheMockCluster() throws {
        let broker = try TestBroker.start(.mock216, brokers: 3)
        defer { broker.stop() }
        announce("librdkafka 2.16 mock cluster of 3 brokers at \(broker.bootstrap)")
        let topic = uniqueName("leaders")
        try broker.createTopic(topic, partitions: 3)
        for partition in 0..<3 { try broker.command("partition-leader \(topic) \(partition) \(partition + 1)") }
        let consumer = try KafkaConsumer(configuration: ConsumerConfiguration(bootstrapServers: broker.bootstrap))
        let leaders = try consumer.describeTopic(topic).partitions.map(\.leader)
        consumer.close()
        XCTAssertEqual(leaders, [1, 2, 3], "each partition led by its own broker")

        let committer = try transactionalProducer(broker.bootstrap, id: uniqueName("committer"), compression: .lz4)
        try transaction(committer, topic, [r(0, "c", 1), r(0, "dup", 0), r(1, "c", 2), r(2, "c", 3), r(2, "dup", 0)], commit: true)
        let aborter = try transactionalProducer(broker.bootstrap, id: uniqueName("aborter"), compression: .zstd)
        try transaction(aborter, topic, [r(1, "dup", 0), r(1, "dup", 0)], commit: false)
        var plainConfiguration = ProducerConfiguration(bootstrapServers: broker.bootstrap)
        plainConfiguration.compression = .zstd
        let plain = try KafkaProducer(configuration: plainConfiguration)
        try send(plain, topic, [r(0, "p", 4), r(1, "p", 5)])

        let seen = try Verifier.committedRecords(broker: .mock216, bootstrap: broker.bootstrap, topic: topic, expect: 7)
        XCTAssertEqual(seen.count, 7, "what the share consumer sees: the committed transaction and the plain records")
        let dupCopies = seen.filter { $0.keyString == "dup" }.map { "\($0.partition)@\($0.offset)" }
        XCTAssertEqual(dupCopies.count, 2)
        let before = try runAudit(topic, broker.bootstrap, ["--json"], status: 1)
        XCTAssertEqual(before["transactions"] as? [String: Int], ["committed": 3, "aborted": 1, "open": 0])
        XCTAssertEqual(before["records"] as? [String: Int],
                       ["committed": 5, "aborted": 2, "open": 0, "plain": 2, "hidden_behind_lso": 0, "visible": seen.count])
        let rows = try XCTUnwrap(before["partitions"] as? [[String: Any]])
        XCTAssertEqual(rows.map { ($0["records"] as? [String: Int])?["visible"] },
                       (0..<3).map { partition in seen.filter { $0.partition == partition }.count })
        let groups = try XCTUnwrap((before["duplicates"] as? [String: Any])?["groups"] as? [[String: Any]])
        XCTAssertEqual(groups.map(Self.copies), [dupCopies])

        // An open transaction in partition 2, then a plain record behind it.
        let opener = try transactionalProducer(broker.bootstrap, id: uniqueName("opener"), compression: nil)
        try opener.beginTransaction()
        try send(opener, topic, [r(2, "o", 6)])
        try send(plain, topic, [r(2, "late", 7)])
        let after = try runAudit(topic, broker.bootstrap, ["--json"], status: 1)
        XCTAssertEqual(after["transactions"] as? [String: Int], ["committed": 3, "aborted": 1, "open": 1])
        XCTAssertEqual(after["records"] as? [String: Int],
                       ["committed": 5, "aborted": 2, "open": 1, "plain": 3, "hidden_behind_lso": 1, "visible": seen.count])
        let partition2 = try XCTUnwrap((after["partitions"] as? [[String: Any]])?.last)
        XCTAssertLessThan(try XCTUnwrap(partition2["last_stable_offset"] as? Int), try XCTUnwrap(partition2["log_end_offset"] as? Int))

        // A leader that moved (the next Fetch answered NOT_LEADER_OR_FOLLOWER): found again, same figures.
        try broker.command("request-errors 1 6")
        let moved = try runAudit(topic, broker.bootstrap, ["--json"], status: 1)
        XCTAssertEqual(moved["records"] as? [String: Int], after["records"] as? [String: Int])
        // An error that does not pass: one line naming it, exit 2.
        try broker.command("request-errors 1 29")
        try expectOperatorFailure(["audit", topic, "--bootstrap", broker.bootstrap],
                                  naming: ["Fetch for topic \(topic) partition 0", "TOPIC_AUTHORIZATION_FAILED (29)"])
        // A broker that refuses the ApiVersions request: exit 2, naming it.
        try broker.command("request-errors 18 35")
        try expectOperatorFailure(["audit", topic, "--bootstrap", broker.bootstrap], naming: ["refused ApiVersions v0", "UNSUPPORTED_VERSION (35)"])
        XCTAssertEqual(try runAudit(topic, broker.bootstrap, ["--json"], status: 1)["records"] as? [String: Int],
                       after["records"] as? [String: Int], "no injected error left over")
        try opener.abortTransaction()
    }

    // MARK: Producing

    private func transactionalProducer(_ bootstrap: String, id: String, compression: ProducerConfiguration.Compression?) throws -> KafkaProducer {
        var configuration = ProducerConfiguration(bootstrapServers: bootstrap)
        configuration.transactionalID = id
        configuration.compression = compression
        configuration.transactionTimeout = .seconds(600)
        let producer = try KafkaProducer(configuration: configuration)
        try producer.initTransactions()
        return producer
    }

    private func send(_ producer: KafkaProducer, _ topic: String, _ records: [Produced]) throws {
        for record in records {
            try producer.send(topic: topic, partition: record.partition, key: record.key.map { Array($0.utf8) }, value: Array(record.value.utf8))
        }
        try producer.flush()
    }

    private func transaction(_ producer: KafkaProducer, _ topic: String, _ records: [Produced], commit: Bool) throws {
        try producer.beginTransaction()
        try send(producer, topic, records)
        if commit { try producer.commitTransaction() } else { try producer.abortTransaction() }
    }

    // MARK: Reading the output

    private func runAudit(_ topic: String, _ bootstrap: String, _ arguments: [String], status: Int32, line: UInt = #line) throws -> [String: Any] {
        let run = try SluiceExecutable.run(["audit", topic, "--bootstrap", bootstrap] + arguments)
        XCTAssertEqual(run.status, status, run.stderr, line: line)
        let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8))
        return try XCTUnwrap(object as? [String: Any], line: line)
    }

    private static func order(_ value: String?) -> Int? {
        guard let value, let object = try? JSONSerialization.jsonObject(with: Data(value.utf8)) as? [String: Any] else { return nil }
        return object["order"] as? Int
    }

    private static func ordered(_ left: Produced, _ right: Produced) -> Bool {
        "\(left.partition)|\(left.key ?? "")|\(left.order ?? -1)" < "\(right.partition)|\(right.key ?? "")|\(right.order ?? -1)"
    }

    private static func copies(_ group: [String: Any]) -> [String] {
        (group["copies"] as? [[String: Any]] ?? []).map { position($0) ?? "?" }
    }

    private static func position(_ object: Any?) -> String? {
        guard let object = object as? [String: Any], let partition = object["partition"] as? Int, let offset = object["offset"] as? Int
        else { return nil }
        return "\(partition)@\(offset)"
    }

    private static func cells(_ line: String) -> [String] { line.split(separator: " ").map(String.init) }

    private static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
