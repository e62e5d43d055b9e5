import ArgumentParser
import BrokerRig
import Foundation
import RdKafka
import Sluice

/// `sluice demo`: the whole exactly-once story in under a minute.
///
/// It starts a broker with the test rig (Tansu by default, on librdkafka 2.16; `--broker mock`
/// for librdkafka's mock cluster), writes a stream of orders, and runs the order-totals job (orders → keyBy
/// customer through a repartition topic → 10-second event-time windows → totals) exactly once
/// in worker processes: one worker, then a second joining (a rebalance), then one killed with
/// SIGKILL and restarted (recovery). It ends with a summary and a check that reads the output as
/// a read_committed consumer would and finds each expected total exactly once, every value
/// equal to totals computed here without the engine.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Run an exactly-once keyed window job through a rebalance and a crash, and check its output.")

    enum Broker: String, ExpressibleByArgument, CaseIterable {
        case tansu, mock
    }

    @Option(help: "The broker: tansu (the whole story holds) or mock (librdkafka's mock cluster; see what it cannot show).")
    var broker: Broker = .tansu

    @Option(help: "Orders written per second.")
    var ordersPerSecond = 2_000

    func validate() throws {
        guard (100...50_000).contains(ordersPerSecond) else { throw ValidationError("--orders-per-second takes 100…50000") }
    }

    func run() throws {
        do {
            try runDemo()
        } catch let error as DemoError {
            FileHandle.standardError.write(Data("sluice demo: error: \(error)\n".utf8))
            throw ExitCode.failure
        } catch let error as BrokerRigError {
            FileHandle.standardError.write(Data("sluice demo: error: \(error.summary)\n".utf8))
            throw ExitCode.failure
        }
    }

    private func runDemo() throws {
        if broker == .tansu, !Librdkafka216.version(KafkaProducer.librdkafkaVersion, isAtLeast: 2, 12) {
            try Librdkafka216.restartThisProcess()
        }
        let progress = DemoProgress()
        let partitions = DemoJob.partitions
        // The mock cannot create topics: the job's own topics are made with the broker.
        let internalTopics = broker == .mock ? try DemoJob.internalTopics() : []
        let server = try TestBroker.start(
            broker == .tansu ? .tansu : .mock216,
            topics: Dictionary(uniqueKeysWithValues: [(DemoJob.input, partitions), (DemoJob.output, partitions)] + internalTopics))
        defer { server.stop() }
        progress.say("\(broker == .tansu ? "Tansu" : "librdkafka's mock cluster (2.16)") at \(server.bootstrap), librdkafka \(KafkaProducer.librdkafkaVersion)")
        if broker == .mock {
            progress.say("note: the mock cluster keeps no offsets committed in transactions and fences nothing (KIP-447); restores rely on Sluice's checkpoint confirmations, and the output is read through its share consumer")
        }
        progress.say("job \(DemoJob.name): \(DemoJob.input) (\(partitions) partitions, keyed by order) → keyBy customer (repartition topic) → 10 s tumbling event-time windows → \(DemoJob.output), exactly once, checkpoint every 500 ms")

        let producer = try DemoProducer(bootstrap: server.bootstrap, topic: DemoJob.input)
        producer.start(perSecond: ordersPerSecond)
        progress.say("writing \(ordersPerSecond) orders/s (300 customers, 10 s of event time per 2,000 orders)")

        let logs = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-demo-\(getpid())")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        progress.say("worker logs in \(logs.path)")
        var workers: [String: ChildProcess] = [:]
        var starts = 0
        /// Starts a worker of the job (`sluice demo-worker`) in a process of its own, every line
        /// it writes in its log, its `EVENT` lines handed to `progress` as they arrive.
        func startWorker(_ id: String) throws {
            starts += 1
            let log = logs.appendingPathComponent("\(id)-\(starts).log")
            workers[id] = try ChildProcess(
                "/proc/self/exe", ["demo-worker", "--bootstrap", server.bootstrap, "--worker-id", id],
                output: .logAndLines(log) { line in
                    if line.hasPrefix("EVENT ") { progress.event(worker: id, String(line.dropFirst(6))) }
                })
        }
        defer { for worker in workers.values { worker.stop(grace: 10) } }

        let input = DemoJob.input, repartition = JobTopics(job: DemoJob.name).repartition(stage: 1)
        func settled() -> Bool {
            let ownership = progress.ownership
            return ownership.owned(input) == partitions && ownership.owned(repartition) == partitions
        }
        try startWorker("w1")
        try waitUntil("w1 owns every partition and checkpoints", timeout: 30, progress: progress, producer: producer) {
            settled() && (progress.workers["w1"]?.checkpoints ?? 0) >= 2
        }
        progress.say("starting a second worker, w2: the group rebalances cooperatively (only the partitions that move pause)")
        try startWorker("w2")
        let joinedAt = progress.elapsed
        try waitUntil("w2 owns partitions", timeout: 40, progress: progress, producer: producer) {
            settled() && progress.ownership.count(of: "w2", topic: input) + progress.ownership.count(of: "w2", topic: repartition) > 0
                && (progress.workers["w2"]?.checkpoints ?? 0) >= 2
        }
        progress.say("killing w2 with SIGKILL: no checkpoint, no leave, its transaction left open")
        workers["w2"]!.kill()
        progress.lost(worker: "w2")
        let killedAt = progress.elapsed
        progress.say("restarting w2 (as a supervisor would): it fences its predecessor and aborts the transaction left open; the group hands out the dead member's partitions once its session (6 s) times out")
        try startWorker("w2")
        try waitUntil("every partition has an owner again", timeout: 45, progress: progress, producer: producer) { settled() }
        let resettledAt = progress.elapsed
        try waitUntil("both workers checkpoint", timeout: 20, progress: progress, producer: producer) {
            progress.restores.contains { $0.at > killedAt } && progress.elapsed - resettledAt > .seconds(2)
        }
        let orders = try producer.stop(partitions: partitions)
        progress.say("stopped the order stream at \(orders) orders; wrote an end marker per partition so every window closes")

        let expected = DemoOrderStream.expectedTotals(orders: orders)
        try waitForOutput(expected: expected.count, bootstrap: server.bootstrap, progress: progress)
        for id in workers.keys.sorted() { workers[id]!.stop(grace: 30) }
        progress.say("workers stopped gracefully (final checkpoint, left the group)")

        let audit = try DemoAudit.run(broker: server, topic: DemoJob.output, expected: expected)
        let summary = DemoSummary(
            orders: orders, expected: expected.count, audit: audit, progress: progress, joinedAt: joinedAt, killedAt: killedAt,
            broker: broker == .tansu ? "Tansu" : "mock")
        summary.print()
        guard audit.exactlyOnce, progress.failures.isEmpty else { throw ExitCode.failure }
    }

    /// Waits until `condition` holds, printing a progress line every two seconds; fails after
    /// `timeout` seconds naming what it waited for.
    private func waitUntil(
        _ what: String, timeout: Double, progress: DemoProgress, producer: DemoProducer, _ condition: () -> Bool
    ) throws {
        let deadline = ContinuousClock.now + .milliseconds(Int64(timeout * 1000))
        var lastReport = ContinuousClock.now
        while !condition() {
            guard ContinuousClock.now < deadline else {
                throw DemoError("waited \(Int(timeout)) s for this in vain: \(what) (worker logs show why)")
            }
            if let failure = progress.failures.first { throw DemoError("a worker failed: \(failure)") }
            Thread.sleep(forTimeInterval: 0.1)
            if ContinuousClock.now - lastReport >= .seconds(2) {
                lastReport = ContinuousClock.now
                let workers = progress.workers.sorted { $0.key < $1.key }
                    .map { "\($0.key) \($0.value.checkpoints) checkpoints" }
                progress.say("orders written \(producer.count) · " + workers.joined(separator: " · ") + " · waiting: \(what)")
            }
        }
    }

    /// Waits until a read_committed consumer of the output has seen `expected` totals (not
    /// counting end markers' windows), or 40 s.
    private func waitForOutput(expected: Int, bootstrap: String, progress: DemoProgress) throws {
        var configuration = ConsumerConfiguration(bootstrapServers: bootstrap)
        configuration.isolationLevel = .readCommitted
        let consumer = try KafkaConsumer(configuration: configuration)
        defer { consumer.close() }
        try consumer.assign((0..<Int32(DemoJob.partitions)).map { TopicPartitionOffset(DemoJob.output, $0, offset: KafkaOffset.beginning) })
        // Distinct totals: a reader here may also see records of aborted transactions (no broker
        // here filters them for an ordinary consumer); the audit after the workers stop does.
        var totals = Set<String>()
        var seen: Int { totals.count }
        var lastReport = ContinuousClock.now
        let deadline = ContinuousClock.now + .seconds(40)
        while seen < expected, ContinuousClock.now < deadline {
            for record in try consumer.poll(maxRecords: 1000, timeout: .milliseconds(200)) {
                guard let total = try? JSONDecoder().decode(CustomerTotal.self, from: Data(record.value ?? [])),
                      total.customer != DemoOrder.endCustomer else { continue }
                totals.insert("\(total.customer)@\(total.windowStart)")
            }
            if ContinuousClock.now - lastReport > .seconds(2) {
                progress.say("window totals arrived: \(seen) of \(expected)")
                lastReport = ContinuousClock.now
            }
        }
        progress.say("\(seen) of \(expected) window totals arrived")
    }
}
