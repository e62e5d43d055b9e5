import Foundation
import Logging
import Sluice
import SluiceKafka
import SluiceService
import Synchronization

/// One `run`: builds a worker per `--workers`, checks the plan against the brokers, replays
/// when `--from` asks for it, runs the workers on their own threads and sums their metrics.
struct JobRun<Job: StreamJob> {
    var job: Job
    var options: RunOptions

    func execute() throws {
        let name = Job.name
        let ids = options.workerIDs
        let settings = try options.kafkaSettings()
        // Before any client connects, so a property librdkafka refuses is a usage error.
        try KafkaPropertyOptions.check(settings.properties, settings.consumer.properties, settings.producer.properties)
        print("\(name): run at \(options.bootstrap), \(options.guarantee.rawValue), \(ids.count) worker\(ids.count == 1 ? "" : "s") (\(ids.joined(separator: ", "))), from \(options.from) until \(options.until.map(\.description) ?? "stopped")")
        let properties = settings.properties
        let logger = LoggingSetup.kafkaLogger(verbose: options.verbose)
        var built: [(context: JobContext, plan: JobPlan)] = []
        var workerRuntimes: [KafkaRuntime] = []
        for (index, id) in ids.enumerated() {
            var workerLogger = logger
            workerLogger[metadataKey: "job"] = "\(name)"
            workerLogger[metadataKey: "worker"] = "\(id)"
            let kafka = try KafkaRuntime(
                bootstrapServers: options.bootstrap, guarantee: options.guarantee.guarantee, workerID: id,
                consumer: settings.consumer, producer: settings.producer, properties: properties, logger: workerLogger)
            workerRuntimes.append(kafka)
            var configuration = JobConfiguration()
            configuration.checkpointInterval = options.checkpointInterval.duration
            configuration.statusInterval = options.statusInterval.duration
            let environment = StreamEnvironment(jobName: name, runtime: kafka, configuration: configuration)
            let context = JobContext(environment: environment, kafka: kafka, workerIndex: index, until: options.until)
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
        let stopping = Atomic<Bool>(false)
        // The first worker asked to stop (SIGTERM, SIGINT, or another worker's failure)
        // announces it once and stops them all at once.
        let services = jobs.enumerated().map { index, job in
            JobService(job: job, name: ids[index]) {
                guard !stopping.exchange(true, ordering: .relaxed) else { return }
                print("\(name): stopping after the current round (final checkpoint, leaving the group)")
                for stop in stops { stop.stop() }
            }
        }
        // SIGUSR1 stops them for a restart: static members keep their place in the group.
        let runtimes = workerRuntimes
        let restart = RestartSignal {
            guard !stopping.exchange(true, ordering: .relaxed) else { return }
            for kafka in runtimes { kafka.leavesGroupOnStop = false }
            print("\(name): stopping for a restart after the current round (final checkpoint, \(Self.keptPlace(runtimes[0])))")
            for service in services { service.requestStop() }
        }
        defer { restart.cancel() }
        var serviceLogger = Logger(label: "sluice.service")
        serviceLogger[metadataKey: "job"] = "\(name)"
        var failure: (any Error)?
        do {
            try JobServiceGroup.run(services, logger: serviceLogger)
        } catch {
            failure = error
        }
        var total = RunSummary()
        for service in services {
            if let metrics = service.metrics { total.add(metrics) }
        }
        if let failure { throw failure }
        let how = stopping.load(ordering: .relaxed) ? "stopped" : "finished"
        print("\(name): \(how): \(total.counts)")
    }

    /// What a stop for a restart does with the workers' group membership.
    private static func keptPlace(_ kafka: KafkaRuntime) -> String {
        guard kafka.consumer.effectiveMembership == .static else {
            return "leaving the group: dynamic members cannot keep their place"
        }
        return "keeping the partitions for \(kafka.sessionTimeout) for a restart with the same --worker-id"
    }

    private func replay(plan: JobPlan, topics: [String], properties: [String: String], logger: Logger) throws {
        let reset: any ReplayReset = JobOffsetsReplayReset(
            bootstrapServers: options.bootstrap, properties: properties, timeout: .seconds(30), logger: logger)
        let moved = try reset.reset(job: Job.name, topics: topics, stages: plan.stages.count, to: options.from)
        print("\(Job.name): replay: starting from \(options.from) with empty state; \(moved) partition\(moved == 1 ? "" : "s") moved")
    }
}
