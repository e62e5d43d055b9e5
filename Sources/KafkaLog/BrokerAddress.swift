/// A broker's host and port, from a bootstrap list entry (`host:port`, `[v6]:port`) or from
/// metadata.
public struct BrokerAddress: Sendable, Hashable, CustomStringConvertible {
    /// The host name or IP address.
    public var host: String
    /// The TCP port.
    public var port: Int

    /// An address from its parts.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses one `host:port` or `[ipv6]:port` entry; `nil` when it is not one.
    public init?(_ text: Substring) {
        let entry = text.trimmingCharacters(in: " ")
        guard let colon = entry.lastIndex(of: ":"), let port = Int(entry[entry.index(after: colon)...]),
              (1...65_535).contains(port) else { return nil }
        var host = entry[..<colon]
        if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        guard !host.isEmpty else { return nil }
        self.init(host: String(host), port: port)
    }

    /// Every entry of a comma-separated bootstrap list; `nil` when one is not `host:port`.
    public static func list(_ bootstrap: String) -> [BrokerAddress]? {
        let entries = bootstrap.split(separator: ",")
        let addresses = entries.compactMap(BrokerAddress.init)
        return addresses.isEmpty || addresses.count != entries.count ? nil : addresses
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Character) -> Substring {
        var text = self
        while text.first == set { text = text.dropFirst() }
        while text.last == set { text = text.dropLast() }
        return text
    }
}
