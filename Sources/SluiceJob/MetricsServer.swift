import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A tiny blocking HTTP/1.1 responder on a thread of its own: `GET /metrics` answers with what
/// `render` returns (Prometheus text exposition), anything else with 404 or 405. One request per
/// connection (`Connection: close`); connections are served one at a time, which is what a
/// Prometheus scraper does.
final class MetricsServer: @unchecked Sendable {
    /// Why the server could not start.
    struct StartError: Error, CustomStringConvertible {
        var description: String
    }

    /// The address it listens on.
    let host: String
    /// The port it listens on (the one the system chose when asked for port 0).
    let port: Int
    private let socket: Int32
    private let render: @Sendable () -> String
    private let stopped = NSLock()
    private var isStopped = false
    private let done = DispatchSemaphore(value: 0)

    /// Listens on `host:port` (an IPv4 address; port 0: any free port) and serves from a thread.
    init(host: String, port: Int, render: @escaping @Sendable () -> String) throws {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            throw StartError(description: "--metrics-address \(host): not an IPv4 address")
        }
        #if canImport(Glibc)
        let descriptor = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let descriptor = Darwin.socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw StartError(description: "metrics endpoint: socket: \(Self.errnoText())") }
        var yes: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(descriptor, 16) == 0 else {
            let reason = Self.errnoText()
            close(descriptor)
            throw StartError(description: "metrics endpoint: cannot listen on \(host):\(port): \(reason)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        self.host = host
        self.port = Int(UInt16(bigEndian: actual.sin_port))
        socket = descriptor
        self.render = render
        let thread = Thread { [self] in serve() }
        thread.name = "metrics"
        thread.start()
    }

    /// The scrape address.
    var url: String { "http://\(host):\(port)/metrics" }

    /// Stops accepting connections and waits for the serving thread to end.
    func stop() {
        let first = stopped.withLock {
            defer { isStopped = true }
            return !isStopped
        }
        guard first else { return }
        shutdown(socket, Int32(SHUT_RDWR))
        close(socket)
        done.wait()
    }

    private var stopping: Bool { stopped.withLock { isStopped } }

    private func serve() {
        defer { done.signal() }
        while !stopping {
            let connection = accept(socket, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                return
            }
            respond(on: connection)
            close(connection)
        }
    }

    /// Reads one request head (up to 8 KB, 5 s) and writes one response.
    private func respond(on connection: Int32) {
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var request: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 2048)
        while request.count < 8192, !request.containsHeadEnd {
            let count = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return }
            request += buffer[..<count]
        }
        guard let line = String(decoding: request, as: UTF8.self).split(separator: "\r\n", omittingEmptySubsequences: false).first
        else { return }
        let parts = line.split(separator: " ")
        let response: (status: String, type: String, body: String)
        if parts.count < 2 || !parts[parts.count - 1].hasPrefix("HTTP/1.") {
            response = ("400 Bad Request", "text/plain; charset=utf-8", "bad request\n")
        } else if parts[1].split(separator: "?").first != "/metrics" {
            response = ("404 Not Found", "text/plain; charset=utf-8", "not found: the metrics are at /metrics\n")
        } else if parts[0] != "GET" && parts[0] != "HEAD" {
            response = ("405 Method Not Allowed", "text/plain; charset=utf-8", "only GET\n")
        } else {
            response = ("200 OK", "text/plain; version=0.0.4; charset=utf-8", render())
        }
        let body = Array(response.body.utf8)
        let head = "HTTP/1.1 \(response.status)\r\nContent-Type: \(response.type)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        var bytes = Array(head.utf8)
        if parts.first != "HEAD" { bytes += body }
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Self.sendFlags) }
            guard count > 0 else { return }
            sent += count
        }
    }

    #if os(Linux)
    /// A scraper that hung up must not kill the process with SIGPIPE.
    private static let sendFlags = Int32(MSG_NOSIGNAL)
    #else
    private static let sendFlags: Int32 = 0
    #endif

    private static func errnoText() -> String {
        String(cString: strerror(errno))
    }
}

extension [UInt8] {
    /// Whether the bytes hold the blank line ending an HTTP request head.
    fileprivate var containsHeadEnd: Bool {
        count >= 4 && indices.dropLast(3).contains { self[$0] == 13 && self[$0 + 1] == 10 && self[$0 + 2] == 13 && self[$0 + 3] == 10 }
    }
}
