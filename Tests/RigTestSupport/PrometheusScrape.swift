import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What a test reads from a job's metrics endpoint: one `GET`, answered as HTTP/1.1, and the
/// samples of its Prometheus text exposition.
public struct PrometheusScrape: Sendable {
    /// One sample line: `name{labels} value`.
    public struct Sample: Sendable, Equatable {
        public var name: String
        public var labels: [String: String]
        public var value: Double
    }

    /// The status line's code.
    public var status: Int
    /// The response's headers, names lowercased.
    public var headers: [String: String]
    /// The body.
    public var body: String

    /// Sends `GET path` to `127.0.0.1:port` (or `host`) and reads the whole response.
    public static func get(host: String = "127.0.0.1", port: Int, path: String = "/metrics", method: String = "GET") throws -> PrometheusScrape {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ScrapeError("socket: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw ScrapeError("connect to \(host):\(port): \(String(cString: strerror(errno)))") }
        let request = Array("\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nAccept: text/plain\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(descriptor, $0.baseAddress, $0.count, 0) }) == request.count else {
            throw ScrapeError("sending the request to \(host):\(port) failed")
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            response += buffer[..<count]
        }
        let text = String(decoding: response, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw ScrapeError("no HTTP response head from \(host):\(port): \(text)") }
        let head = text[..<split.lowerBound].components(separatedBy: "\r\n")
        let statusParts = head[0].split(separator: " ")
        guard statusParts.count >= 2, statusParts[0] == "HTTP/1.1", let status = Int(statusParts[1]) else {
            throw ScrapeError("not an HTTP/1.1 status line: \(head[0])")
        }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return PrometheusScrape(status: status, headers: headers, body: String(text[split.upperBound...]))
    }

    /// The samples of the body, in order; `# HELP` and `# TYPE` lines left out.
    public var samples: [Sample] {
        get throws { try Self.parse(body) }
    }

    /// Parses a text exposition's sample lines, unescaping label values.
    public static func parse(_ text: String) throws -> [Sample] {
        var samples: [Sample] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            var name = ""
            var labels: [String: String] = [:]
            var index = line.startIndex
            while index < line.endIndex, line[index] != "{", line[index] != " " {
                name.append(line[index])
                index = line.index(after: index)
            }
            if index < line.endIndex, line[index] == "{" {
                index = line.index(after: index)
                while index < line.endIndex, line[index] != "}" {
                    guard let equals = line[index...].firstIndex(of: "=") else { throw ScrapeError("bad labels: \(line)") }
                    let key = String(line[index..<equals])
                    var cursor = line.index(after: equals)
                    guard cursor < line.endIndex, line[cursor] == "\"" else { throw ScrapeError("unquoted label: \(line)") }
                    cursor = line.index(after: cursor)
                    var value = ""
                    while cursor < line.endIndex, line[cursor] != "\"" {
                        if line[cursor] == "\\" {
                            cursor = line.index(after: cursor)
                            guard cursor < line.endIndex else { throw ScrapeError("bad escape: \(line)") }
                            switch line[cursor] {
                            case "n": value.append("\n")
                            case "\\": value.append("\\")
                            case "\"": value.append("\"")
                            default: throw ScrapeError("bad escape \\\(line[cursor]): \(line)")
                            }
                        } else {
                            value.append(line[cursor])
                        }
                        cursor = line.index(after: cursor)
                    }
                    guard cursor < line.endIndex else { throw ScrapeError("unterminated label value: \(line)") }
                    labels[key] = value
                    index = line.index(after: cursor)
                    if index < line.endIndex, line[index] == "," { index = line.index(after: index) }
                }
                guard index < line.endIndex else { throw ScrapeError("unterminated labels: \(line)") }
                index = line.index(after: index)
            }
            let rest = line[index...].trimmingCharacters(in: .whitespaces).split(separator: " ")
            guard let first = rest.first, let value = Double(first) else { throw ScrapeError("no value: \(line)") }
            samples.append(Sample(name: name, labels: labels, value: value))
        }
        return samples
    }
}

/// A scrape that failed or a body that is no text exposition.
public struct ScrapeError: Error, CustomStringConvertible, Sendable {
    public var description: String

    init(_ description: String) {
        self.description = description
    }
}
