import ArgumentParser

/// `sluice plan`: prints the stages, exchanges and topics of the demo's order-totals job,
/// planned against librdkafka's embedded mock cluster (or a broker given with `--bootstrap`).
/// Every job built with the job command has its own `plan` subcommand.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plan", abstract: "Print the demo job's plan.")

    @Option(name: [.customLong("bootstrap"), .customLong("bootstrap-servers")], help: "Plan against these brokers instead of an embedded mock cluster.")
    var bootstrap: String?

    func run() throws {
        print(try DemoJob.plan(bootstrap: bootstrap))
    }
}
