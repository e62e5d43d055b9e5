import ArgumentParser
import RdKafka

/// `sluice version`: the versions of Sluice and of the librdkafka actually loaded.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print versions.")

    func run() throws {
        print("sluice 0.1.0, librdkafka \(KafkaProducer.librdkafkaVersion)")
    }
}
