import ArgumentParser
import RdKafka

/// `sluice plan`: prints the stages, exchanges and topics of the demo's word-count job, planned
/// against the embedded mock cluster (or a broker given with `--bootstrap-servers`).
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plan", abstract: "Print the word-count job's plan.")

    @Option(help: "Plan against these brokers instead of an embedded mock cluster.")
    var bootstrapServers: String?

    @Option(help: "Input topic.")
    var input = "words"

    @Option(help: "Output topic.")
    var output = "word-counts"

    func run() throws {
        var cluster: MockCluster?
        let bootstrap: String
        if let bootstrapServers {
            bootstrap = bootstrapServers
        } else {
            let mock = try MockCluster(brokers: 1)
            try mock.createTopic(input, partitions: 3)
            try mock.createTopic(output, partitions: 3)
            bootstrap = mock.bootstrapServers
            cluster = mock
        }
        let env = try WordCountJob.build(
            bootstrapServers: bootstrap, input: input, output: output, jobName: "word-count", bounded: false)
        print(try env.describe())
        withExtendedLifetime(cluster) {}
    }
}
