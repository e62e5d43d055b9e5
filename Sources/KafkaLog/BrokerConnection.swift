#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One blocking TCP connection to a broker: frames requests (size, header v1 with a
/// correlation id and client id) and reads the matching response body.
///
/// Requests go one at a time, so a response whose correlation id is not the request's means
/// the stream is out of step: that is an error, not something to skip.
final class BrokerConnection {
    let address: BrokerAddress
    private let socket: Int32
    private var nextCorrelationID: Int32 = 1
    private let clientID: String

    /// Why a connection could not be opened or used; the text names no secret.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Connects, with `timeout` seconds for the connection and for each read and write.
    init(to address: BrokerAddress, timeout: Double, clientID: String) throws {
        self.address = address
        self.clientID = clientID
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var found: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(address.host, String(address.port), &hints, &found)
        guard status == 0, let first = found else {
            throw Failure(description: "cannot resolve \(address.host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(found) }
        var lastError = "no address"
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let info = candidate {
            candidate = info.pointee.ai_next
            #if canImport(Glibc)
            let descriptor = Glibc.socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            #else
            let descriptor = Darwin.socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            #endif
            if descriptor < 0 { lastError = Self.errorText(); continue }
            // Linux bounds connect() by the send timeout too, so one setting covers both.
            Self.setTimeout(descriptor, timeout)
            if connect(descriptor, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 {
                var one: Int32 = 1
                setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                socket = descriptor
                return
            }
            lastError = Self.errorText()
            close(descriptor)
        }
        throw Failure(description: lastError)
    }

    deinit { close(socket) }

    /// Sends one request and returns its response body (after the correlation id).
    func roundTrip(apiKey: Int16, version: Int16, body: [UInt8]) throws -> [UInt8] {
        let correlationID = nextCorrelationID
        nextCorrelationID &+= 1
        var header = RequestWriter()
        header.int16(apiKey)
        header.int16(version)
        header.int32(correlationID)
        header.string(clientID)
        var frame = RequestWriter()
        frame.int32(Int32(header.bytes.count + body.count))
        try write(frame.bytes + header.bytes + body)
        var sizeReader = ByteReader(try read(4))
        let size = Int(try sizeReader.int32())
        guard size >= 4, size <= 1 << 30 else { throw Failure(description: "a response frame of \(size) bytes") }
        let response = try read(size)
        var reader = ByteReader(response)
        let answered = try reader.int32()
        guard answered == correlationID else {
            throw Failure(description: "a response for correlation id \(answered), expected \(correlationID)")
        }
        return Array(response[4...])
    }

    private func write(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let count = bytes.withUnsafeBytes { send(socket, $0.baseAddress! + sent, bytes.count - sent, Self.noSignal) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(description: "sending: \(Self.errorText())")
            }
            sent += count
        }
    }

    private func read(_ count: Int) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var received = 0
        while received < count {
            let got = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress! + received, count - received, 0) }
            if got == 0 {
                // What a SASL or SSL listener does with a plaintext request.
                throw Failure(description: "the broker closed the connection (this client speaks PLAINTEXT only: is it a SASL or SSL listener?)")
            }
            if got < 0 {
                if errno == EINTR { continue }
                let text = errno == EAGAIN || errno == EWOULDBLOCK ? "no answer in time" : Self.errorText()
                throw Failure(description: "receiving: \(text)")
            }
            received += got
        }
        return buffer
    }

    /// A closed connection must be an error, not a SIGPIPE that ends the process.
    #if canImport(Glibc)
    private static let noSignal = Int32(MSG_NOSIGNAL)
    #else
    private static let noSignal: Int32 = 0
    #endif

    private static func setTimeout(_ descriptor: Int32, _ seconds: Double) {
        var value = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - seconds.rounded(.down)) * 1_000_000))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    private static func errorText() -> String { String(cString: strerror(errno)) }
}
