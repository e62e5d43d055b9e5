import Foundation
import Sluice
import SluicePostgres

// The PostgreSQL sink's rows/s, driven as the worker drives it: `tasks` writers (one connection
// each) write their rows on threads of their own, and every `checkpoint-rows` rows per task the
// rows stop and every writer takes part in a checkpoint from one thread: prepare all (PREPARE
// TRANSACTION, or COMMIT for at-least-once), then commit all (COMMIT PREPARED).
//
//   sluice-postgres-bench write URL exactly-once|at-least-once ROWS TASKS CHECKPOINT_ROWS
//   sluice-postgres-bench csv FILE ROWS      the same rows as CSV, for psql's \copy
//
// Into `bench_rows(id bigint, word text, window_start bigint, count bigint)`, created if
// missing; scripts/bench-postgres.sh empties it between runs.

/// Row `index`: a word-count row, the same in both commands.
func row(_ index: Int) -> (Int64, String, Int64, Int64) {
    (Int64(index), "word\(index % 5_000)", 1_700_000_000_000 + Int64(index / 5_000) * 10_000, Int64(index % 97 + 1))
}

struct Failure: Error, CustomStringConvertible {
    let description: String
}

func write(url: String, guarantee: PostgresSinkGuarantee, rows: Int, tasks: Int, checkpointRows: Int) throws {
    let sink = try PostgresSink<(Int64, String, Int64, Int64)>(
        PostgresConnectionSettings(url: url), table: "bench_rows", columns: ["id", "word", "window_start", "count"],
        guarantee: guarantee,
        setUp: ["CREATE TABLE IF NOT EXISTS bench_rows (id bigint, word text, window_start bigint, count bigint)"]
    ) { id, word, start, count in [.int64(id), .text(word), .int64(start), .int64(count)] }
    defer { sink.close() }
    let writers = TaskWriters(try (0..<tasks).map { task in
        let context = SinkTaskContext(
            job: "postgres-bench", task: TaskID(stage: 1, partition: task), worker: "bench-0", guarantee: .exactlyOnce,
            participantID: "sink-1")
        let writer = try sink.makeWriter(for: context)
        try writer.recover(TaskRecovery(job: context.job, task: context.task, checkpoint: nil, preCommitted: nil))
        return writer
    })
    let perTask = rows / tasks
    let failures = FailureBox()
    let clock = ContinuousClock()
    let started = clock.now
    var written = 0
    var sequence: UInt64 = 0
    var checkpointTime = Duration.zero
    while written < perTask {
        let count = min(checkpointRows, perTask - written)
        let offset = written
        DispatchQueue.concurrentPerform(iterations: tasks) { task in
            let batch = (offset..<offset + count).map { row($0 * tasks + task) }
            do {
                // Batches the size a round hands a sink: the engine's default batchSize.
                for start in stride(from: 0, to: batch.count, by: 4_096) {
                    try writers.all[task].write(Array(batch[start..<min(batch.count, start + 4_096)]))
                }
            } catch {
                failures.record(error)
            }
        }
        if let error = failures.first { throw error }
        written += count
        sequence += 1
        let checkpointStarted = clock.now
        var staged: [(CheckpointAttempt, [UInt8]?)] = []
        for (task, writer) in writers.all.enumerated() {
            let attempt = CheckpointAttempt(job: "postgres-bench", task: TaskID(stage: 1, partition: task), sequence: sequence, incarnation: 1)
            try writer.prepare(attempt)
            staged.append((attempt, try writer.preCommit(attempt)))
        }
        for (writer, (attempt, bytes)) in zip(writers.all, staged) { try writer.commit(attempt, preCommitted: bytes) }
        checkpointTime += clock.now - checkpointStarted
    }
    let elapsed = clock.now - started
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let checkpointSeconds = Double(checkpointTime.components.seconds) + Double(checkpointTime.components.attoseconds) / 1e18
    print(String(
        format: "%@: %d rows in %.2f s = %.0f rows/s (%d tasks, %d checkpoints, %.2f s in checkpoints)",
        guarantee.rawValue, perTask * tasks, seconds, Double(perTask * tasks) / seconds, tasks, Int(sequence), checkpointSeconds))
}

/// The tasks' writers, handed to the writing threads: each thread uses only its own task's
/// writer, and the checkpoints run after every thread finished, as in the worker.
final class TaskWriters: @unchecked Sendable {
    let all: [any SinkWriter<(Int64, String, Int64, Int64)>]
    init(_ all: [any SinkWriter<(Int64, String, Int64, Int64)>]) { self.all = all }
}

/// The first error of the writing threads.
final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var error: (any Error)?
    func record(_ error: any Error) {
        lock.lock()
        if self.error == nil { self.error = error }
        lock.unlock()
    }
    var first: (any Error)? {
        lock.lock()
        defer { lock.unlock() }
        return error
    }
}

func csv(path: String, rows: Int) throws {
    guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else { throw Failure(description: "cannot write \(path)") }
    defer { try? handle.close() }
    var chunk = ""
    for index in 0..<rows {
        let (id, word, start, count) = row(index)
        chunk += "\(id),\(word),\(start),\(count)\n"
        if chunk.utf8.count > 1 << 20 {
            try handle.write(contentsOf: Data(chunk.utf8))
            chunk = ""
        }
    }
    try handle.write(contentsOf: Data(chunk.utf8))
}

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    switch arguments.first {
    case "write" where arguments.count == 6:
        guard let guarantee = PostgresSinkGuarantee(rawValue: arguments[2]), let rows = Int(arguments[3]),
              let tasks = Int(arguments[4]), let checkpointRows = Int(arguments[5]), tasks > 0, checkpointRows > 0
        else { throw Failure(description: "write URL exactly-once|at-least-once ROWS TASKS CHECKPOINT_ROWS") }
        try write(url: arguments[1], guarantee: guarantee, rows: rows, tasks: tasks, checkpointRows: checkpointRows)
    case "csv" where arguments.count == 3:
        guard let rows = Int(arguments[2]) else { throw Failure(description: "csv FILE ROWS") }
        try csv(path: arguments[1], rows: rows)
    default:
        throw Failure(description: "usage: sluice-postgres-bench write URL exactly-once|at-least-once ROWS TASKS CHECKPOINT_ROWS | csv FILE ROWS")
    }
} catch {
    FileHandle.standardError.write(Data("sluice-postgres-bench: \(error)\n".utf8))
    exit(1)
}
