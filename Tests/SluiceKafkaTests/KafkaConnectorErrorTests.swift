import RdKafka
import Sluice
import SluiceKafka
import XCTest

/// The Kafka connector's own conditions are ``KafkaConnectorError``s, never librdkafka errors
/// with invented codes, and say whether the worker must stop. No broker: a runtime makes no
/// connection before a job runs.
final class KafkaConnectorErrorTests: XCTestCase {
    private func runtime() throws -> KafkaRuntime {
        try KafkaRuntime(bootstrapServers: "127.0.0.1:1", workerID: "w0")
    }

    private func assertConnectorError(
        _ expected: KafkaConnectorError, fatal: Bool, message: String, file: StaticString = #filePath, line: UInt = #line,
        _ call: () throws -> Void
    ) {
        XCTAssertThrowsError(try call(), file: file, line: line) { error in
            XCTAssertNil(error as? KafkaError, "not disguised as librdkafka's: \(error)", file: file, line: line)
            XCTAssertEqual(error as? KafkaConnectorError, expected, file: file, line: line)
            XCTAssertEqual((error as? any ConnectorError)?.isFatal, fatal, file: file, line: line)
            XCTAssertEqual("\(error)", message, file: file, line: line)
        }
    }

    func testASecondSourceOfOneRuntimeIsRefused() throws {
        let kafka = try runtime()
        // The job's graph holds its source; the runtime only points at it.
        let first = try kafka.source(topics: ["a"])
        assertConnectorError(
            .secondSource, fatal: true,
            message: "a KafkaRuntime has one source per job: read several topics with one source, kafka.source(topics: [\"a\", \"b\"])"
        ) { _ = try kafka.source(topics: ["b"]) }
        withExtendedLifetime(first) {}
    }

    func testSourcesAndSinksOutsideARunSayTheJobIsNotRunning() throws {
        let kafka = try runtime()
        let source = try kafka.source(topics: ["a", "b"])
        assertConnectorError(
            .notRunning("the source a,b"), fatal: true,
            message: "the source a,b can be used only while the job runs (its KafkaRuntime has no open worker)"
        ) {
            var batch = SourceBatch<SourceRecord>()
            try source.poll(maxRecords: 10, timeout: .zero, into: &batch)
        }
        assertConnectorError(
            .notRunning("Kafka sinks"), fatal: true,
            message: "Kafka sinks can be used only while the job runs (its KafkaRuntime has no open worker)"
        ) { try kafka.sink(topic: "out").write([SinkRecord(value: [1])]) }
    }
}
