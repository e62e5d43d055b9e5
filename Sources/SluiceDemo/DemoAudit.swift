import BrokerRig
import Foundation

/// The demo's output as a read_committed consumer reads it (the rig's ``Verifier``: on Tansu
/// an audit of the raw record batches that skips aborted transactions' records; on the mock a
/// share consumer, which the mock serves read_committed), compared with totals computed
/// without the engine, every field of every result.
struct DemoAudit {
    var read = 0
    var missing: [CustomerTotal] = []
    var duplicated: [CustomerTotal] = []
    var unexpected: [CustomerTotal] = []
    var abortedTransactions: Int?
    var abortedRecords: Int?

    var exactlyOnce: Bool { missing.isEmpty && duplicated.isEmpty && unexpected.isEmpty }

    static func run(broker: TestBroker, topic: String, expected: Set<CustomerTotal>) throws -> DemoAudit {
        let report = try Verifier.audit(
            broker: broker.kind, bootstrap: broker.bootstrap, topic: topic, view: .now,
            expect: broker.kind == .mock216 ? expected.count : nil, timeout: 20)
        var audit = DemoAudit()
        audit.abortedTransactions = report.stats?.transactions.aborted
        audit.abortedRecords = report.stats?.records.aborted
        var seen: [CustomerTotal: Int] = [:]
        let decoder = JSONDecoder()
        for record in report.records {
            let total: CustomerTotal
            do {
                total = try decoder.decode(CustomerTotal.self, from: Data(record.value))
            } catch {
                throw DemoError("\(topic)[\(record.partition)] offset \(record.offset) holds no customer total: \(record.valueString ?? "\(record.value.count) bytes")")
            }
            guard total.customer != DemoOrder.endCustomer else { continue }
            audit.read += 1
            seen[total, default: 0] += 1
        }
        for (total, count) in seen {
            if !expected.contains(total) { audit.unexpected.append(total) }
            else if count > 1 { audit.duplicated.append(total) }
        }
        audit.missing = expected.filter { seen[$0] == nil }.sorted { ($0.windowStart, $0.customer) < ($1.windowStart, $1.customer) }
        return audit
    }
}
