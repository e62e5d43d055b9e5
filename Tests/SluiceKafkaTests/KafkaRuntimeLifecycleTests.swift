import SluiceKafka
import XCTest

/// What a ``KafkaRuntime`` keeps alive. No broker: nothing connects before a job runs.
final class KafkaRuntimeLifecycleTests: XCTestCase {
    func testARuntimeAndItsSourceAreFreedTogether() throws {
        weak var runtime: KafkaRuntime?
        weak var source: KafkaSource?
        do {
            let kafka = try KafkaRuntime(bootstrapServers: "127.0.0.1:1", workerID: "w")
            let made = try kafka.source(topics: ["t"])
            runtime = kafka
            source = made
            XCTAssertNotNil(runtime)
            XCTAssertNotNil(source)
        }
        XCTAssertNil(runtime, "no cycle keeps the runtime's clients alive until exit")
        XCTAssertNil(source)
    }
}
