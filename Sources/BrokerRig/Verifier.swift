import Foundation

/// Reads a topic exactly as a read_committed consumer would, with `scripts/verify.py`.
///
/// On ``BrokerKind/mock216`` it uses a share group, which the mock serves read_committed; on
/// ``BrokerKind/tansu`` it audits the raw record batches (Tansu's memory store reports no
/// aborted transactions, so its own read_committed filtering cannot be trusted).
public enum Verifier {
    /// The records of `topic` a read_committed consumer sees now, sorted by partition and
    /// offset: the ``VerifierView/now`` records of
    /// ``audit(broker:bootstrap:topic:view:expect:timeout:)``.
    ///
    /// - Parameters:
    ///   - broker: the kind of broker at `bootstrap`.
    ///   - bootstrap: the broker's `bootstrap.servers`.
    ///   - topic: the topic to read.
    ///   - expect: on mock216, read until this many records arrived and then 1.5 s more with
    ///     nothing new (so extra records would show); on Tansu, audit again until this many
    ///     are visible. It is not an assertion: compare the result yourself.
    ///   - timeout: seconds after which whatever was read is returned.
    /// - Throws: ``BrokerRigError/verifierFailed(_:)`` if verify.py fails or its output is
    ///   malformed, ``BrokerRigError/setupMissing(_:)`` if `scripts/setup.sh` has not run.
    public static func committedRecords(broker: BrokerKind, bootstrap: String, topic: String,
                                        expect: Int? = nil, timeout: Double = 30) throws -> [CommittedRecord] {
        try audit(broker: broker, bootstrap: bootstrap, topic: topic, view: .now, expect: expect, timeout: timeout).records
    }

    /// The records of one view of `topic`, and on Tansu the audit's counts of transactions
    /// and records and each partition's last stable offset.
    ///
    /// - Parameters:
    ///   - broker: the kind of broker at `bootstrap`.
    ///   - bootstrap: the broker's `bootstrap.servers`.
    ///   - topic: the topic to read.
    ///   - view: which records to report; ``VerifierView/eventual`` only on Tansu.
    ///   - expect: on mock216, read until this many records arrived and then 1.5 s more with
    ///     nothing new (so extra records would show); on Tansu, audit again until `view`
    ///     holds this many. It is not an assertion: compare the result yourself.
    ///   - timeout: seconds after which whatever was read is returned.
    /// - Throws: ``BrokerRigError/verifierFailed(_:)`` if verify.py fails (as it does for
    ///   ``VerifierView/eventual`` on mock216) or its output is malformed,
    ///   ``BrokerRigError/setupMissing(_:)`` if `scripts/setup.sh` has not run.
    public static func audit(broker: BrokerKind, bootstrap: String, topic: String, view: VerifierView = .now,
                             expect: Int? = nil, timeout: Double = 30) throws -> VerifierReport {
        try RigPaths.requireSetup(script: "verify.py")
        var arguments = [RigPaths.script("verify.py"), "--broker", broker.rawValue, "--bootstrap", bootstrap,
                         "--topic", topic, "--view", view.rawValue, "--timeout", String(timeout)]
        if let expect { arguments += ["--expect", String(expect)] }
        let verifier: ChildProcess
        do {
            verifier = try ChildProcess(RigPaths.python, arguments, directory: RigPaths.root, output: .captured)
        } catch {
            throw BrokerRigError.verifierFailed("cannot run \(RigPaths.python): \(error)")
        }
        let text = verifier.readToEnd()
        if !verifier.wait(timeout: timeout + 60) {
            verifier.stop(grace: 2)
            throw BrokerRigError.verifierFailed("did not exit; stderr:\n\(verifier.errorTail)")
        }
        guard verifier.terminationStatus == 0 else {
            throw BrokerRigError.verifierFailed(
                "exit status \(verifier.terminationStatus); stderr:\n\(verifier.errorTail)")
        }
        let report = try parse(text, stderr: verifier.errorTail)
        guard report.view == view else {
            throw BrokerRigError.verifierFailed("asked for the \(view) view, got \(report.view)")
        }
        return report
    }

    /// One line of verify.py's output: a record, or the final count with the view and stats.
    private struct Line: Decodable {
        var partition: Int32?
        var offset: Int64?
        var key_b64: String?
        var value_b64: String?
        var count: Int?
        var view: String?
        var stats: Stats?
    }

    /// The last line's `stats`: the audit's counts, or only the method's name when it is the
    /// share consumer, whose counts are null.
    private struct Stats: Decodable {
        var audit: AuditStats?

        private enum CodingKeys: String, CodingKey { case method }

        init(from decoder: any Decoder) throws {
            let method = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .method)
            audit = method == "audit" ? try AuditStats(from: decoder) : nil
        }
    }

    private static func parse(_ text: String, stderr: String) throws -> VerifierReport {
        var records: [CommittedRecord] = []
        var last: Line?
        let decoder = JSONDecoder()
        for raw in text.split(separator: "\n") where !raw.isEmpty {
            let line: Line
            do {
                line = try decoder.decode(Line.self, from: Data(raw.utf8))
            } catch {
                throw BrokerRigError.verifierFailed("unparsable line (\(error)): \(raw)")
            }
            if line.count != nil {
                last = line
                continue
            }
            guard let partition = line.partition, let offset = line.offset else {
                throw BrokerRigError.verifierFailed("line without partition/offset: \(raw)")
            }
            records.append(CommittedRecord(
                partition: partition, offset: offset,
                key: try line.key_b64.map { try bytes(base64: $0, line: raw) },
                value: try line.value_b64.map { try bytes(base64: $0, line: raw) } ?? []))
        }
        guard let last, last.count == records.count, let view = last.view.flatMap(VerifierView.init(rawValue:)),
              let stats = last.stats else {
            throw BrokerRigError.verifierFailed(
                "output ended without a matching count line with view and stats (\(records.count) records); stderr:\n\(stderr)")
        }
        return VerifierReport(view: view, records: records, stats: stats.audit)
    }

    private static func bytes(base64: String, line: Substring) throws -> [UInt8] {
        guard let data = Data(base64Encoded: base64) else {
            throw BrokerRigError.verifierFailed("bad base64 in: \(line)")
        }
        return [UInt8](data)
    }
}
