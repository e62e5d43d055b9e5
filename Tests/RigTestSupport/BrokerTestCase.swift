import BrokerRig
import Foundation
import XCTest

/// Base class of broker-backed tests: names broker and librdkafka version in the output,
/// makes unique names, and runs a test on librdkafka 2.16 when its broker needs it.
///
/// BrokerRig does not link librdkafka itself; subclasses report the loaded version through
/// ``librdkafkaVersion``.
open class BrokerTestCase: XCTestCase {
    /// The version of the librdkafka loaded in this process, e.g. `2.0.2`.
    open var librdkafkaVersion: String { fatalError("subclasses report the loaded librdkafka version") }

    /// A name no other test or run uses, so tests never see each other's records.
    public func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// Prints which broker and which librdkafka a test runs against.
    public func announce(_ broker: String) {
        print("[\(name)] broker: \(broker); librdkafka \(librdkafkaVersion)")
    }

    /// Whether the loaded librdkafka is at least `major.minor`.
    public func librdkafkaAtLeast(_ major: Int, _ minor: Int) -> Bool {
        Librdkafka216.version(librdkafkaVersion, isAtLeast: major, minor)
    }

    /// Tansu needs librdkafka 2.12 or newer; Debian's is 2.0.2. When this process runs an
    /// older librdkafka, this runs the calling test again in a child test process whose
    /// `LD_LIBRARY_PATH` puts the wheel's librdkafka 2.16 first, forwards its output, fails
    /// when the child fails, and returns `false` (the caller returns). In the child, it
    /// returns `true` and the test body runs there.
    public func runsOnLibrdkafka216(function: String = #function, file: StaticString = #filePath, line: UInt = #line) throws -> Bool {
        if librdkafkaAtLeast(2, 12) { return true }
        if ProcessInfo.processInfo.environment["SLUICE_TEST_CHILD"] != nil {
            XCTFail("child test process still runs librdkafka \(librdkafkaVersion); is \(Librdkafka216.libraryDirectory) set up?", file: file, line: line)
            return false
        }
        let testName = function.hasSuffix("()") ? String(function.dropLast(2)) : function
        let selector = "\(String(reflecting: type(of: self)))/\(testName)"
        var environment = Librdkafka216.environment()
        environment["SLUICE_TEST_CHILD"] = "1"
        let log = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("child-test") + ".log")
        defer { try? FileManager.default.removeItem(at: log) }
        let child = try ChildProcess(CommandLine.arguments[0], [selector], environment: environment, output: .log(log))
        child.waitUntilExit()
        let data = try Data(contentsOf: log)
        let text = String(decoding: data, as: UTF8.self)
        print("[\(name)] re-run on librdkafka 2.16 in a child test process:")
        print(text.split(separator: "\n").map { "    | \($0)" }.joined(separator: "\n"))
        XCTAssertEqual(child.terminationStatus, 0, "\(selector) failed on librdkafka 2.16 (output above)", file: file, line: line)
        XCTAssertTrue(text.contains("Executed 1 test, with 0 failures"), "child did not run \(selector)", file: file, line: line)
        return false
    }
}
