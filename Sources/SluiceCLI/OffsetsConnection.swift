import Logging
import SluiceKafka

extension KafkaConnectionOptions {
    /// The offsets of the jobs in the cluster these options reach.
    func jobOffsets() throws -> JobOffsets {
        let catalog = try catalog()
        // librdkafka logs every failed connection attempt; the command reports what failed in
        // one line of its own, so the raw lines are shown only when asked for.
        var logger = verbose
            ? Logger(label: "sluice.offsets") : Logger(label: "sluice.offsets") { _ in SwiftLogNoOpLogHandler() }
        logger.logLevel = .warning
        return JobOffsets(
            bootstrapServers: catalog.bootstrapServers, properties: catalog.properties, timeout: catalog.timeout, logger: logger)
    }
}
