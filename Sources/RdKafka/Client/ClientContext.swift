import CRdKafka
import Logging
import Synchronization

/// What librdkafka's C callbacks reach through the client's opaque pointer.
///
/// Set up before `rd_kafka_new` and released after `rd_kafka_destroy`, so every callback
/// sees a live object. The handlers are written once, before the first callback that uses
/// them can run (delivery reports and rebalances are served only from poll calls made after
/// the owning object is initialised), hence the unchecked `Sendable`.
final class ClientContext: @unchecked Sendable {
    let logger: Logger
    /// The values of the client's sensitive properties, scrubbed from each librdkafka log line.
    let secrets: [String]
    /// Set when the client starts closing: the disconnects librdkafka reports from then on are
    /// expected, not errors (see ``ExpectedDisconnect``).
    let closing = Atomic<Bool>(false)
    var deliveryHandler: (@Sendable (DeliveryReport) -> Void)?
    var rebalanceHandler: ((rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> Void)?

    init(logger: Logger, secrets: [String]) {
        self.logger = logger
        self.secrets = secrets
    }

    static func from(_ rk: OpaquePointer?) -> ClientContext? {
        guard let rk, let raw = rd_kafka_opaque(rk) else { return nil }
        return Unmanaged<ClientContext>.fromOpaque(raw).takeUnretainedValue()
    }
}
