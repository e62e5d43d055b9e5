import Foundation
import KafkaTestJobs
import Sluice

/// The body of a worker process that runs ``ClickCountJob`` until the file `stop` appears in
/// the spec's `directory` (or 240 s pass), writing the splits it owns to
/// `<directory>/<worker id>.assigned` whenever they change; then prints
/// `worker <id>: <n> records read in <n> rounds, <n> commits`.
enum ClickCountWorker {
    /// The job, for the thread that stops it: `Job.stop()` may be called from any thread.
    private final class StopHandle: @unchecked Sendable {
        let job: Job
        init(_ job: Job) { self.job = job }
    }

    static func run(spec: WorkerSpec) throws {
        guard let path = spec.parameters["directory"] else {
            throw WorkerFailure("the spec of \(spec.workerID) names no directory (parameter `directory`)")
        }
        let directory = URL(fileURLWithPath: path)
        let assignmentFile = directory.appendingPathComponent("\(spec.workerID).assigned")
        let env = try ClickCountJob.build(
            bootstrap: spec.bootstrap, input: spec.input, output: spec.output, jobName: spec.job, workerID: spec.workerID,
            assignmentObserver: { owned in
                // Replaced in one rename, so the parent never reads half a list.
                let text = owned.sorted().map { "\($0.topic)\t\($0.partition)\n" }.joined()
                try? Data(text.utf8).write(to: assignmentFile, options: .atomic)
            })
        let handle = StopHandle(try env.build())
        let stop = directory.appendingPathComponent("stop").path
        Thread {
            let deadline = Date().addingTimeInterval(240)
            while !FileManager.default.fileExists(atPath: stop), Date() < deadline {
                Thread.sleep(forTimeInterval: 0.1)
            }
            handle.job.stop()
        }.start()
        let metrics = try handle.job.run()
        print("worker \(spec.workerID): \(metrics.recordsRead) records read in \(metrics.rounds) rounds, \(metrics.commits) commits")
    }
}
