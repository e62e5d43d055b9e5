import Foundation
import Logging
import Sluice
import SluiceKafka
import Synchronization

/// One `run`: builds a worker per `--workers`, checks the plan against the brokers, replays
/// when `--from` asks for it, runs the workers on their own threads and sums their metrics.
struct JobRun<Job: StreamJob> {
    var job: Job
    var options: RunOptions

    func execute() throws {
        let name = Job.name
        let ids = options.workerIDs
        print("\(name): run at \(options.bootstrap), \(options.guarantee.rawValue), \(ids.count) worker\(ids.count == 1 ? "" : "s") (\(ids.joined(separator: ", "))), from \(options.from) until \(options.until.map(\.description) ?? "stopped")")
        let properties = try options.kafkaProperties()
        let logger = LoggingSetup.kafkaLogger(verbose: options.verbose)
        let written = CountingSink.Counter()
        var built: [(context: JobContext, plan: JobPlan)] = []
        for (index, id) in ids.enumerated() {
            let kafka = try KafkaRuntime(
                bootstrapServers: options.bootstrap, guarantee: options.guarantee.guarantee, workerID: id,
                consumerProperties: properties, producerProperties: properties, logger: logger)
            var configuration = JobConfiguration()
            configuration.checkpointInterval = options.checkpointInterval.duration
            let environment = StreamEnvironment(jobName: name, runtime: kafka, configuration: configuration)
            let context = JobContext(environment: environment, kafka: kafka, workerIndex: index, until: options.until, written: written)
            try job.build(context)
            if index == 0 {
                try InputTopicCheck.requireExisting(
                    context.inputTopics, bootstrapServers: options.bootstrap, properties: properties, logger: logger)
            }
            // Planning describes every input topic: an unreachable broker or a missing topic
            // fails here, named, before anything joins the group.
            built.append((context, try environment.plan()))
        }
        if options.from != .committed {
            try replay(plan: built[0].plan, topics: built[0].context.inputTopics, properties: properties, logger: logger)
        }
        let jobs = try built.map { try $0.context.environment.build() }
        let stops = jobs.map(\.stopSignal)
        let signalled = Atomic<Bool>(false)
        let signals = JobSignals(stopping: stops) { number in
            signalled.store(true, ordering: .relaxed)
            print("\(name): signal \(number): stopping after the current round (final checkpoint, leaving the group)")
        }
        defer { signals.restore() }
        let workers = jobs.enumerated().map { index, job in
            // A failed worker stops the others: the process reports the failure.
            WorkerThread(job: job, name: ids[index]) { failed in
                if failed { for stop in stops { stop.stop() } }
            }
        }
        var total = RunSummary()
        var failure: (any Error)?
        for worker in workers {
            switch worker.wait() {
            case .success(let metrics): total.add(metrics)
            case .failure(let error): failure = failure ?? error
            }
        }
        signals.restore()
        if let failure { throw failure }
        let how = signalled.load(ordering: .relaxed) ? "stopped" : "finished"
        print("\(name): \(how): \(total.counts(written: written.count))")
    }

    private func replay(plan: JobPlan, topics: [String], properties: [String: String], logger: Logger) throws {
        let reset: any ReplayReset = JobOffsetsReplayReset(
            bootstrapServers: options.bootstrap, properties: properties, timeout: .seconds(30), logger: logger)
        let moved = try reset.reset(job: Job.name, topics: topics, stages: plan.stages.count, to: options.from)
        print("\(Job.name): replay: starting from \(options.from) with empty state; \(moved) partition\(moved == 1 ? "" : "s") moved")
    }
}
