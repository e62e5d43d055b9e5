import Foundation

/// A test broker running in a child process (`scripts/brokers.py`), stopped by ``stop()`` or
/// when the value is released.
///
/// The broker never outlives the test process: `brokers.py` exits and stops its own children
/// when its stdin pipe (which this object holds open) reaches end of file, which also happens
/// when the test process is killed, and when its parent process changes.
///
/// ```swift
/// let broker = try TestBroker.start(.tansu)
/// defer { broker.stop() }
/// try broker.createTopic("orders", partitions: 4)
/// // ... produce to broker.bootstrap ...
/// let seen = try Verifier.committedRecords(broker: .tansu, bootstrap: broker.bootstrap, topic: "orders")
/// ```
public final class TestBroker: @unchecked Sendable {
    /// Which broker this is.
    public let kind: BrokerKind
    /// The `bootstrap.servers` value for clients, `127.0.0.1:PORT`.
    public let bootstrap: String

    private let launcher: ChildProcess
    private let lock = NSLock()
    private var stopped = false

    private init(kind: BrokerKind, bootstrap: String, launcher: ChildProcess) {
        self.kind = kind
        self.bootstrap = bootstrap
        self.launcher = launcher
    }

    deinit { stop() }

    /// Starts a broker and returns once it accepts requests.
    ///
    /// - Parameters:
    ///   - kind: which broker to start.
    ///   - brokers: number of brokers of the mock cluster (ignored for Tansu).
    ///   - topics: topics to create before returning, name to partition count.
    ///   - timeout: seconds to wait for the broker to report ready.
    /// - Throws: ``BrokerRigError/setupMissing(_:)`` if `scripts/setup.sh` has not run,
    ///   ``BrokerRigError/startFailed(_:)`` with the launcher's stderr tail otherwise.
    public static func start(_ kind: BrokerKind, brokers: Int = 1, topics: [String: Int] = [:],
                             timeout: Double = 30) throws -> TestBroker {
        try RigPaths.requireSetup(script: "brokers.py")
        var arguments = [RigPaths.script("brokers.py"), kind.rawValue]
        if kind == .mock216 { arguments += ["--brokers", String(brokers)] }
        for (name, partitions) in topics.sorted(by: { $0.key < $1.key }) {
            arguments += ["--topic", "\(name):\(partitions)"]
        }
        let launcher: ChildProcess
        do {
            launcher = try ChildProcess(RigPaths.python, arguments, directory: RigPaths.root, takesInput: true, output: .captured)
        } catch {
            throw BrokerRigError.startFailed("cannot run \(RigPaths.python): \(error)")
        }
        let deadline = Date(timeIntervalSinceNow: timeout)
        while let line = launcher.nextLine(timeout: max(0, deadline.timeIntervalSinceNow)) {
            if line.hasPrefix("BOOTSTRAP=") {
                return TestBroker(kind: kind, bootstrap: String(line.dropFirst("BOOTSTRAP=".count)), launcher: launcher)
            }
        }
        let why = launcher.isRunning ? "no BOOTSTRAP= line within \(timeout) s"
            : "brokers.py \(kind.rawValue) exited with status \(launcher.terminationStatus)"
        launcher.closeInput()
        launcher.stop(grace: 5)
        throw BrokerRigError.startFailed("\(why); stderr:\n\(launcher.errorTail)")
    }

    /// Sends one control command to `brokers.py` and returns the text after `OK`.
    ///
    /// Commands: `ping`, `create-topic NAME PARTITIONS`; on ``BrokerKind/mock216`` also
    /// `broker-down ID`, `broker-up ID`, `broker-rtt ID MS`, `partition-leader TOPIC PARTITION ID`
    /// and `request-errors APIKEY ERR...` (errors returned to the next requests of that API).
    /// - Throws: ``BrokerRigError/commandFailed(_:)`` on an `ERR` reply or no reply in time.
    @discardableResult
    public func command(_ line: String, timeout: Double = 30) throws -> String {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { throw BrokerRigError.commandFailed("\(line): broker stopped") }
        do {
            try launcher.send(line)
        } catch {
            throw BrokerRigError.commandFailed("\(line): \(error); stderr:\n\(launcher.errorTail)")
        }
        guard let reply = launcher.nextLine(timeout: timeout) else {
            throw BrokerRigError.commandFailed("\(line): no reply; stderr:\n\(launcher.errorTail)")
        }
        if reply == "OK" { return "" }
        if reply.hasPrefix("OK ") { return String(reply.dropFirst(3)) }
        throw BrokerRigError.commandFailed("\(line): \(reply)")
    }

    /// Creates a topic with `partitions` partitions (the mock has no CreateTopics API, so this
    /// goes through the launcher on both brokers).
    public func createTopic(_ name: String, partitions: Int) throws {
        try command("create-topic \(name) \(partitions)")
    }

    /// The launcher's recent stderr, for test failure messages.
    public var logTail: String { launcher.errorTail }

    /// Stops the broker: closes its stdin, sends SIGTERM and waits (SIGKILL after 5 s).
    /// Safe to call more than once.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        launcher.closeInput()
        launcher.stop(grace: 5)
    }
}
