import BrokerRig
import Foundation
import KafkaTestJobs
import RdKafka
import RigTestSupport
import XCTest

/// Tests of jobs from Kafka (Tansu) into PostgreSQL, run in worker processes
/// (`sluice-postgres-test-worker`).
class PostgresJobTestCase: BrokerTestCase {
    override var librdkafkaVersion: String { KafkaProducer.librdkafkaVersion }

    /// Starts Tansu and a PostgreSQL server, names both in the output, and returns them with an
    /// admin client; the caller stops them.
    func startServers(maxPreparedTransactions: Int = 64, password: String? = nil)
        throws -> (broker: TestBroker, admin: KafkaAdmin, postgres: TestPostgres)
    {
        let broker = try TestBroker.start(.tansu)
        let postgres: TestPostgres
        do {
            postgres = try TestPostgres.start(maxPreparedTransactions: maxPreparedTransactions, password: password)
        } catch {
            broker.stop()
            throw error
        }
        announce("Tansu at \(broker.bootstrap), PostgreSQL at \(postgres.server) (max_prepared_transactions = \(maxPreparedTransactions))")
        return (broker, try KafkaAdmin(configuration: KafkaConfiguration(bootstrapServers: broker.bootstrap)), postgres)
    }

    /// The spec of a worker of the purchase totals job into `table`.
    func spec(
        broker: TestBroker, postgres: TestPostgres, input: String, job: String, table: String, workerID: String,
        crashAt: String? = nil, parameters: [String: String] = [:]
    ) -> WorkerSpec {
        WorkerSpec(
            bootstrap: broker.bootstrap, input: input, output: table, job: job, workerID: workerID, crashAt: crashAt,
            parameters: ["postgres": postgres.url, "table": table].merging(parameters) { _, given in given })
    }

    /// The table's rows as `customer <tab> window_start <tab> purchases <tab> total`, sorted.
    func rows(of table: String, in postgres: TestPostgres) throws -> [String] {
        try postgres.lines("SELECT customer, window_start, purchases, total FROM \(table)")
    }

    /// Waits until `table` holds `count` rows or `timeout` s pass; returns the last count.
    @discardableResult
    func waitForRows(_ count: Int, in table: String, of postgres: TestPostgres, timeout: TimeInterval) throws -> Int {
        let deadline = Date().addingTimeInterval(timeout)
        var seen = -1
        while Date() < deadline {
            seen = (try? postgres.count(table)) ?? -1
            if seen >= count { return seen }
            Thread.sleep(forTimeInterval: 0.5)
        }
        return seen
    }
}
