import ArgumentParser
import Foundation
import Logging
import Sluice
import SluiceKafka
import SluiceService

/// `sluice demo-worker` (hidden): one worker process of the demo's job. The demo starts and
/// kills these; each prints what happens to it as `EVENT …` lines on standard output, which the
/// demo reads to show progress and to sum up.
struct DemoWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-worker", abstract: "One worker of the demo's job (started by `sluice demo`).",
        shouldDisplay: false)

    @Option(help: "The brokers.")
    var bootstrap: String

    @Option(help: "This worker's id (its transactional id is <job>-<id>).")
    var workerID: String

    func run() throws {
        var logger = Logger(label: "sluice.demo.\(workerID)")
        logger.logLevel = ProcessInfo.processInfo.environment["SLUICE_DEMO_DEBUG"] == nil ? .info : .debug
        let kafka = try KafkaRuntime(
            bootstrapServers: bootstrap, guarantee: .exactlyOnce, workerID: workerID,
            // Dynamic members: the demo moves partitions between workers on Tansu, which does not
            // follow a static member (the default) that hands some over (README, gaps).
            consumer: ConsumerOptions(
                sessionTimeout: .seconds(6), heartbeatInterval: .milliseconds(500), maxPollInterval: .seconds(10),
                membership: .dynamic,
                properties: ProcessInfo.processInfo.environment["SLUICE_DEMO_DEBUG"].map { ["debug": $0] } ?? [:]),
            logger: logger)
        var configuration = JobConfiguration()
        configuration.checkpointInterval = .milliseconds(500)
        configuration.restartStrategy = .fixedDelay(delay: .milliseconds(500), maxAttempts: 10)
        configuration.checkpointObserver = { event in
            switch event {
            case .committed(let report):
                Self.say("EVENT committed n=\(report.number) ms=\(report.duration.milliseconds) bytes=\(report.bytes)")
            case .restored(let report):
                Self.say("EVENT restored task=\(report.task.stage).\(report.task.partition) seq=\(report.sequence) bytes=\(report.bytes) ms=\(report.duration.milliseconds)")
            case .aborted(let reason):
                Self.say("EVENT aborted \(reason)")
            case .restarting(let attempt, _, let error):
                Self.say("EVENT restarting attempt=\(attempt) \(error)")
            case .stateReset, .piecesStaged, .manifestsWritten:
                break
            }
        }
        configuration.assignmentObserver = { owned in
            let input = owned.filter { $0.topic == DemoJob.input }.count
            Self.say("EVENT assigned input=\(input) all=\(owned.count) \(owned.sorted().map(\.description).joined(separator: " "))")
        }
        configuration.rebalanceObserver = { event in
            guard !event.isEmpty else { return }
            let restored = event.tasksRestored > 0 ? " restoring \(event.tasksRestored) tasks (\(event.bytesRestored) bytes)" : ""
            let committed = event.committed ? " after a checkpoint" : ""
            Self.say("EVENT rebalance pause_ms=\(event.pause.milliseconds) \(event.change) \(event.splits.count) partitions\(restored)\(committed)")
        }
        let env = try DemoJob.build(kafka: kafka, configuration: configuration)
        let job = try env.build()
        let service = JobService(job: job, name: workerID)
        Self.say("EVENT started \(workerID)")
        do {
            try JobServiceGroup.run([service], logger: Logger(label: "sluice.service"))
        } catch {
            Self.say("EVENT failed \(error)")
            throw ExitCode.failure
        }
        guard let metrics = service.metrics else {
            Self.say("EVENT failed the job ended without reporting its counts")
            throw ExitCode.failure
        }
        Self.say("EVENT stopped records=\(metrics.recordsRead) checkpoints=\(metrics.commits) restarts=\(metrics.restarts)")
    }

    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}

extension Duration {
    /// Whole milliseconds, for progress lines.
    var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
