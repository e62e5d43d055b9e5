import Foundation
import KafkaTestJobs
import RdKafka
import Sluice
import SluiceKafka
import SluicePostgres

/// The exactly-once tests' keyed window job (``PurchaseJob``: purchases summed per user in 5 s
/// windows, through a repartition topic) writing its results as rows into a PostgreSQL table
/// instead of a topic.
///
/// The spec's parameters:
/// - `postgres`: the server's URL; `table`: the table (created if missing);
/// - `sinkGuarantee`: `exactly-once` (the default) or `at-least-once`;
/// - `mode`: `insert` (the default: the table has no key, so a row written twice shows twice)
///   or `upsert` (the table's primary key is (customer, window_start));
/// - `crashBeforeCommitPrepared`: `n`, to SIGKILL the process in the n-th phase two of a
///   writer that prepared a transaction, right after the job's Kafka transaction committed and
///   before `COMMIT PREPARED`;
/// - `restartDelayMillis`, `restartAttempts`: the job's restart strategy (fixed delay).
public enum PurchaseTotalsToPostgres {
    /// The table's columns.
    public static let columns = ["customer", "window_start", "purchases", "total"]

    /// The table, without a key for inserts (so duplicates would show) and with the window's
    /// key for upserts.
    public static func createTable(_ table: String, upsert: Bool) -> String {
        let key = upsert ? ", PRIMARY KEY (customer, window_start)" : ""
        return "CREATE TABLE IF NOT EXISTS \(table) (customer text NOT NULL, window_start bigint NOT NULL, purchases bigint NOT NULL, total bigint NOT NULL\(key))"
    }

    /// The rows of ``PurchaseJob/expectedResults(count:)`` as the table holds them,
    /// `customer <tab> window_start <tab> purchases <tab> total`, sorted: the same text.
    public static func expectedRows(count: Int) -> [String] {
        PurchaseJob.expectedResults(count: count)
    }

    /// The job of `spec`, with `configuration` (whose restart strategy the spec may set).
    public static func build(spec: WorkerSpec, configuration: JobConfiguration) throws -> StreamEnvironment {
        var configuration = configuration
        if let delay = spec.parameters["restartDelayMillis"].flatMap(Int64.init),
           let attempts = spec.parameters["restartAttempts"].flatMap(Int.init) {
            configuration.restartStrategy = .fixedDelay(delay: .milliseconds(delay), maxAttempts: attempts)
        }
        guard let url = spec.parameters["postgres"], let table = spec.parameters["table"] else {
            throw WorkerFailure("the spec of \(spec.workerID) names no postgres URL or table (parameters `postgres`, `table`)")
        }
        let upsert = spec.parameters["mode"] == "upsert"
        let guarantee = spec.parameters["sinkGuarantee"].flatMap(PostgresSinkGuarantee.init(rawValue:)) ?? .exactlyOnce
        let kafka = try KafkaRuntime(bootstrapServers: spec.bootstrap, workerID: spec.workerID, consumer: TansuGroupSettings.options)
        let env = StreamEnvironment(jobName: spec.job, runtime: kafka, configuration: configuration)
        let sink = try PostgresSink<(String, Int64, PurchaseJob.Totals)>(
            PostgresConnectionSettings(url: url), table: table, columns: columns,
            mode: upsert ? .upsert(key: ["customer", "window_start"]) : .insert, guarantee: guarantee,
            setUp: [createTable(table, upsert: upsert)]
        ) { user, start, totals in
            [.text(user), .int64(start), .int64(Int64(totals.count)), .int64(Int64(totals.sum))]
        }
        let crashAt = spec.parameters["crashBeforeCommitPrepared"].flatMap(Int.init)
        let results = env.fromSource(try kafka.source(topics: [spec.input]), deserializer: JSONCodec<PurchaseJob.Purchase>())
            .keyBy(\.user)
            .window(TumblingEventTimeWindows.of(.milliseconds(PurchaseJob.windowMillis)))
            .aggregate(PurchaseJob.SumPurchases()) { user, window, totals in (user, window.start, totals) }
            .filter { $0.0 != PurchaseJob.endMarker }
        if let crashAt {
            results.sink(to: CrashingSink(base: sink, crashAt: crashAt))
        } else {
            results.sink(to: sink)
        }
        return env
    }
}
