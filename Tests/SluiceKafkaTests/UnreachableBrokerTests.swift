import Foundation
import RdKafka
import Sluice
import SluiceKafka
import XCTest

/// A job whose brokers cannot be reached ends with one line naming the address, not a crash
/// and not a flood of retries.
final class UnreachableBrokerTests: XCTestCase {
    func testAnUnreachableBrokerIsNamedInOneLine() throws {
        let kafka = try KafkaRuntime(bootstrapServers: "127.0.0.1:1", workerID: "w0")
        var configuration = JobConfiguration()
        configuration.restartStrategy = .fixedDelay(delay: .milliseconds(100), maxAttempts: 1)
        let env = StreamEnvironment(jobName: "unreachable", runtime: kafka, configuration: configuration)
        env.fromSource(try kafka.source(topics: ["orders"]), deserializer: UTF8StringCodec())
            .sink(to: kafka.sink(topic: "out")) { SinkRecord(value: Array($0.utf8)) }
        let started = ContinuousClock.now
        XCTAssertThrowsError(try env.execute()) { error in
            let text = "\(error)"
            print("[\(name)] after \(ContinuousClock.now - started): \(text)")
            XCTAssertTrue(text.contains("Kafka at 127.0.0.1:1"), text)
            XCTAssertFalse(text.contains("\n"), "one line: \(text)")
        }
    }
}
