import Foundation
import Logging
import Sluice
import SluiceService
import Synchronization

/// The body of a worker process that runs its job as a service: runs it until SIGTERM,
/// printing its checkpoint and rebalance events as `EVENT <name> …` lines (unbuffered, so the
/// parent reads them as they happen), and SIGKILLs itself at the event the spec's `crashAt`
/// names. With the spec's parameter `directory` (a ``FileSink``'s), a committed checkpoint that
/// left part files of its tasks staged, not yet renamed, also prints `STAGED <names>` and counts
/// as the event `staged`, so `crashAt: "staged:1"` strikes between a commit and its renames.
/// With a ``ProgressCounter`` it also prints, every 100 ms,
/// `PROGRESS t=<unix ms> input=<n> keyed=<n>`. On SIGUSR2 it freezes itself with SIGSTOP at
/// the next moment it is not inside a checkpoint's commit call (``CommitWindow``). Shared by the test worker executables
/// (`sluice-test-worker`, and `sluice-postgres-test-worker`, which alone links PostgreSQL).
public enum WorkerBody {
    @discardableResult
    public static func run(spec: WorkerSpec, progress: ProgressCounter? = nil,
                           build: (JobConfiguration) throws -> StreamEnvironment) throws -> JobMetrics {
        let crash = spec.crashAt.flatMap { text -> (String, Int)? in
            let parts = text.split(separator: ":")
            guard parts.count == 2, let count = Int(parts[1]) else { return nil }
            return (String(parts[0]), count)
        }
        let counts = Mutex<[String: Int]>([:])
        let commitWindow = CommitWindow()
        var configuration = JobConfiguration()
        configuration.checkpointInterval = .milliseconds(Int64(spec.checkpointIntervalMillis))
        configuration.restartStrategy = .fixedDelay(delay: .milliseconds(500), maxAttempts: 20)
        if let millis = spec.parameters["statusIntervalMillis"].flatMap(Int64.init) {
            configuration.statusInterval = .milliseconds(millis)
        }
        configuration.checkpointObserver = { event in
            let (name, detail) = describe(event)
            commitWindow.observe(name)
            say("EVENT \(name) \(detail) t=\(WallClock.unixMillis())")
            var names = [name]
            if case .committed(let report) = event, let directory = spec.parameters["directory"] {
                let staged = stagedPartFiles(in: directory, job: spec.job, tasks: report.sequences.keys)
                if !staged.isEmpty {
                    say("STAGED \(staged.joined(separator: " "))")
                    names.append("staged")
                }
            }
            for name in names {
                let seen = counts.withLock { counts in
                    counts[name, default: 0] += 1
                    return counts[name]!
                }
                if let crash, crash.0 == name, crash.1 == seen {
                    say("CRASH at \(name) #\(seen)")
                    kill(getpid(), SIGKILL)
                }
            }
        }
        configuration.rebalanceObserver = { event in
            say("EVENT rebalance \(describe(event))")
        }
        configuration.assignmentObserver = { owned in
            say("ASSIGNED \(owned.sorted().map(\.description).joined(separator: " "))")
        }
        let env = try build(configuration)
        let job = try env.build()
        let service = JobService(job: job, name: spec.workerID)
        say("STARTED \(spec.workerID)")
        if let progress {
            let thread = Thread {
                while true {
                    say("PROGRESS t=\(WallClock.unixMillis()) input=\(progress.inputRecords) keyed=\(progress.keyedRecords)")
                    Thread.sleep(forTimeInterval: 0.1)
                }
            }
            thread.start()
        }
        try JobServiceGroup.run([service], logger: Logger(label: "sluice.service"))
        guard let metrics = service.metrics else {
            throw WorkerFailure("the job service ended without an error and without metrics")
        }
        say("STOPPED \(spec.workerID): \(metrics.recordsRead) records read, \(metrics.commits) checkpoints, \(metrics.restarts) restarts, \(metrics.rebalances) rebalances pausing \(millis(metrics.rebalancePause)) ms")
        return metrics
    }

    /// The hidden part files of a ``FileSink`` under `directory` that belong to `tasks` of
    /// `job`: right after a checkpoint committed, the pending files it named, not yet renamed.
    private static func stagedPartFiles(in directory: String, job: String, tasks: some Sequence<TaskID>) -> [String] {
        let prefixes = tasks.map { ".part-\(CheckpointAttempt.taskPrefix(job: job, task: $0))" }
        let paths = (try? FileManager.default.subpathsOfDirectory(atPath: directory)) ?? []
        return paths.compactMap { $0.split(separator: "/").last.map(String.init) }
            .filter { name in prefixes.contains { name.hasPrefix($0) } }
            .sorted()
    }

    public static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// `duration` in milliseconds, with a tenth.
    public static func millis(_ duration: Duration) -> String {
        String(format: "%.1f", Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15)
    }

    /// `n=<number> change=<assigned|revoked|lost> splits=<a[0],b[1]|-> restored=<tasks>
    /// bytes=<n> committed=<bool> owned=<n> pause_ms=<ms> t=<unix ms when handled>`.
    private static func describe(_ event: RebalanceEvent) -> String {
        let splits = event.splits.isEmpty ? "-" : event.splits.map(\.description).joined(separator: ",")
        return "n=\(event.number) change=\(event.change) splits=\(splits) restored=\(event.tasksRestored) bytes=\(event.bytesRestored) committed=\(event.committed) owned=\(event.ownedSplits) pause_ms=\(millis(event.pause)) t=\(WallClock.unixMillis())"
    }

    private static func describe(_ event: CheckpointEvent) -> (String, String) {
        switch event {
        case .piecesStaged(let tasks, let bytes): ("pieces", "tasks=\(tasks) bytes=\(bytes)")
        case .manifestsWritten(let tasks): ("manifests", "tasks=\(tasks)")
        case .committed(let report):
            ("committed", "n=\(report.number) tasks=\(report.tasks) full=\(report.fullSnapshots) bytes=\(report.bytes) entries=\(report.entries) ms=\(report.duration.components.seconds * 1000 + report.duration.components.attoseconds / 1_000_000_000_000_000) seq=\(report.sequences.sorted { $0.key < $1.key }.map { "\($0.key.stage).\($0.key.partition):\($0.value.sequence)@\($0.value.pointer)" }.joined(separator: ","))")
        case .aborted(let reason): ("aborted", reason)
        case .restored(let report):
            ("restored", "task=\(report.task.stage).\(report.task.partition) seq=\(report.sequence) bytes=\(report.bytes) entries=\(report.entries) ms=\(report.duration.components.seconds * 1000 + report.duration.components.attoseconds / 1_000_000_000_000_000) pointer=\(report.pointer) position=\(report.inputPosition.map(String.init) ?? "none")")
        case .restarting(let attempt, _, let error): ("restarting", "attempt=\(attempt) \(error)")
        case .stateReset(let task, let reason): ("stateReset", "task=\(task.stage).\(task.partition) \(reason)")
        }
    }
}
