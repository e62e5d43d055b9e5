import ArgumentParser
import Logging
import RdKafka
import Sluice
import SluiceKafka

/// `<job> plan`: prints the job's stages, exchanges and topics, and the librdkafka properties
/// given, each sensitive value redacted. Without `--bootstrap` it plans against an in-process
/// mock cluster holding the job's input topics, so it needs no broker (and the properties,
/// checked with librdkafka, are not used).
struct PlanCommand<Job: StreamJob>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "plan", abstract: "Print the job's stages, exchanges and topics; needs no broker.")
    }

    @Option(help: ArgumentHelp(
        "Plan against these brokers (their real partition counts) instead of an in-process mock cluster.", valueName: "host:port"))
    var bootstrap: String?

    @Option(help: ArgumentHelp("Partitions of each input topic on the mock cluster.", valueName: "n"))
    var partitions = 3

    @OptionGroup(title: "Kafka properties")
    var kafka: KafkaPropertyOptions

    @OptionGroup(title: "Job options")
    var job: Job

    func validate() throws {
        guard partitions >= 1, partitions <= 10_000 else { throw ValidationError("--partitions takes 1 to 10000, got \(partitions)") }
    }

    func run() throws {
        do {
            print(try describe())
        } catch {
            throw JobFailure.report(error, job: Job.name)
        }
    }

    private func describe() throws -> String {
        let quiet = Logger(label: "sluice.plan") { _ in SwiftLogNoOpLogHandler() }
        let file = try kafka.configFile()
        let properties = try kafka.kafkaProperties(file: file)
        try KafkaPropertyOptions.check(properties, file.consumerProperties, file.producerProperties)
        var mock: MockCluster?
        if bootstrap == nil { mock = try MockCluster(logger: quiet) }
        let brokers = bootstrap ?? mock!.bootstrapServers
        let runtime = try KafkaRuntime(
            bootstrapServers: brokers, workerID: "plan", properties: bootstrap == nil ? [:] : properties, logger: quiet)
        let environment = StreamEnvironment(jobName: Job.name, runtime: runtime)
        let context = JobContext(
            environment: environment, kafka: runtime, workerIndex: 0, until: nil,
            prepare: { [partitions] topics in
                guard let mock else { return }
                for topic in topics {
                    guard !topic.hasPrefix("^") else {
                        throw ValidationError("input pattern \(topic): plan it against real brokers with --bootstrap")
                    }
                    try mock.createTopic(topic, partitions: Int32(partitions))
                }
            })
        try job.build(context)
        let plan = try withExtendedLifetime(mock) { try environment.describe() }
        let shown = KafkaPropertyOptions.shown(properties) + KafkaPropertyOptions.shown(file.consumerProperties, prefix: "consumer ")
            + KafkaPropertyOptions.shown(file.producerProperties, prefix: "producer ")
        guard !shown.isEmpty else { return plan }
        return plan + "\nlibrdkafka properties:\n" + shown.map { "  " + $0 }.joined(separator: "\n")
    }
}
