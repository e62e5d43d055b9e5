/// librdkafka's log lines about connections ending, which are expected while a client closes
/// (`1/1 brokers are down`, `…: Disconnected (after 5063ms in state UP)`, a refused reconnect
/// to a broker that already went away): logged at debug level then, not as errors. The same
/// lines while the client is open still arrive at their own level.
enum ExpectedDisconnect {
    private static let fragments = ["brokers are down", "Disconnected", "Connection refused", "connection closed by peer"]

    /// Whether `message` is one of those lines.
    static func matches(_ message: String) -> Bool {
        fragments.contains { message.contains($0) }
    }
}
