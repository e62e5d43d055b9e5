import Foundation

/// Reads the demo's output as a read_committed consumer would (`scripts/verify.py`: on Tansu an
/// audit of the raw record batches that skips aborted transactions' records; on the mock a share
/// consumer, which the mock serves read_committed) and compares it with totals computed
/// without the engine, every field of every result.
struct DemoAudit {
    var read = 0
    var missing: [CustomerTotal] = []
    var duplicated: [CustomerTotal] = []
    var unexpected: [CustomerTotal] = []
    var abortedTransactions: Int?
    var abortedRecords: Int?

    var exactlyOnce: Bool { missing.isEmpty && duplicated.isEmpty && unexpected.isEmpty }

    static func run(broker: DemoBroker, root: URL, python: String, topic: String, expected: Set<CustomerTotal>) throws -> DemoAudit {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [
            root.appendingPathComponent("scripts/verify.py").path, "--broker", broker.kind.rawValue,
            "--bootstrap", broker.bootstrap, "--topic", topic, "--timeout", "20",
        ] + (broker.kind == .mock ? ["--expect", String(expected.count)] : [])
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let diagnostics = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let last = String(decoding: diagnostics, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
            throw DemoError("reading \(topic) as read_committed failed: \(last)")
        }
        var audit = DemoAudit()
        var seen: [CustomerTotal: Int] = [:]
        let decoder = JSONDecoder()
        for line in data.split(separator: UInt8(ascii: "\n")) {
            guard let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else { continue }
            if let value = object["value"] as? String {
                let total = try decoder.decode(CustomerTotal.self, from: Data(value.utf8))
                guard total.customer != DemoOrder.endCustomer else { continue }
                audit.read += 1
                seen[total, default: 0] += 1
            } else if let stats = object["stats"] as? [String: Any] {
                audit.abortedTransactions = (stats["transactions"] as? [String: Any])?["aborted"] as? Int
                audit.abortedRecords = (stats["records"] as? [String: Any])?["aborted"] as? Int
            }
        }
        for (total, count) in seen {
            if !expected.contains(total) { audit.unexpected.append(total) }
            else if count > 1 { audit.duplicated.append(total) }
        }
        audit.missing = expected.filter { seen[$0] == nil }.sorted { ($0.windowStart, $0.customer) < ($1.windowStart, $1.customer) }
        return audit
    }
}
