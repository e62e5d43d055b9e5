// Kafka to PostgreSQL: the word count (sentences from a topic, lower-cased, split on
// non-letters, counted per word in 10-second tumbling event-time windows over the record
// timestamps, 2 s of bounded out-of-orderness) written as one row per (word, window start) into
// a table, exactly once by default:
//
//   word_counts(word text, window_start bigint /* ms */, count bigint, primary key (word, window_start))
//
// created if missing.
//
//   kafka-to-postgres run --bootstrap HOST:PORT --input sentences \
//       --postgres postgresql://USER@HOST:PORT/DATABASE --table word_counts [--worker-id ID] [--property k=v]…
//
// Exactly once: each task's rows of a checkpoint are one PostgreSQL transaction, prepared
// (PREPARE TRANSACTION) before the job's Kafka transaction commits and committed after it; the
// server needs max_prepared_transactions above 0. On a server without prepared transactions,
// pass --postgres-guarantee at-least-once: rows are upserted, so rows written again after a
// crash replace themselves. `scripts/example.sh kafka-to-postgres` starts Tansu and a
// PostgreSQL server, writes sample sentences and runs it.
import Sluice
import SluiceJob
import SluicePostgres

@main
struct KafkaToPostgres: StreamJob {
    static let name = "kafka-to-postgres"
    static let abstract = "Counts words in 10 s tumbling event-time windows, Kafka to a PostgreSQL table, exactly once."

    /// The key: the word itself.
    static let word = KeySelector<String, String>("word") { $0 }

    @Option(help: "The topic of sentences (record timestamps are event time). Env: SLUICE_INPUT.")
    var input = "sentences"

    @Option(help: ArgumentHelp(
        "The server, postgresql://USER[:PASSWORD]@HOST:PORT/DATABASE[?sslmode=disable|prefer|require|verify-full&sslrootcert=FILE]; the password may also come from PGPASSWORD. Env: SLUICE_POSTGRES.",
        valueName: "url"))
    var postgres: String

    @Option(help: "The table of counts (word, window_start, count), created if missing. Env: SLUICE_TABLE.")
    var table = "word_counts"

    @Option(help: ArgumentHelp(
        "exactly-once (prepared transactions; needs max_prepared_transactions > 0) or at-least-once. Env: SLUICE_POSTGRES_GUARANTEE.",
        valueName: "guarantee"))
    var postgresGuarantee = "exactly-once"

    func validate() throws {
        _ = try settings()
        guard PostgresSinkGuarantee(rawValue: postgresGuarantee) != nil else {
            throw ValidationError("--postgres-guarantee takes exactly-once or at-least-once, got '\(postgresGuarantee)'")
        }
        guard !table.isEmpty else { throw ValidationError("--table must not be empty") }
    }

    private func settings() throws -> PostgresConnectionSettings {
        do {
            return try PostgresConnectionSettings(url: postgres)
        } catch {
            throw ValidationError("--postgres: \(error)")
        }
    }

    func build(_ job: JobContext) throws {
        let quoted = "\"" + table.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        let sink = try PostgresSink<(String, Int64, Int)>(
            try settings(), table: table, columns: ["word", "window_start", "count"],
            mode: .upsert(key: ["word", "window_start"]),
            guarantee: PostgresSinkGuarantee(rawValue: postgresGuarantee) ?? .exactlyOnce,
            setUp: ["CREATE TABLE IF NOT EXISTS \(quoted) (word text, window_start bigint, count bigint, PRIMARY KEY (word, window_start))"]
        ) { word, start, count in [.text(word), .int64(start), .int64(Int64(count))] }
        job.environment.fromSource(
            try job.source(topics: [input]), deserializer: UTF8StringCodec(), watermarks: .forBoundedOutOfOrderness(.seconds(2)))
            .flatMap { sentence in sentence.lowercased().split(whereSeparator: { !$0.isLetter }).map(String.init) }
            .keyBy(Self.word)
            .window(TumblingEventTimeWindows.of(seconds: 10))
            .aggregate(Count()) { word, window, count in (word, window.start, count) }
            .sink(to: sink)
    }
}
