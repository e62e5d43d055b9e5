import XCTest
import Sluice
import SluiceTesting

/// What the driver itself promises: where piped records land, what the job sees of them, how
/// it reports mistakes and failures.
final class TestDriverTests: XCTestCase {
    /// A job that writes, for every record, what its source delivered.
    private func echoDriver(batchSize: Int = 4096, policy: BadInputPolicy = .fail) -> TestDriver {
        var configuration = JobConfiguration()
        configuration.batchSize = batchSize
        configuration.badInputPolicy = policy
        return TestDriver(jobName: "echo", configuration: configuration, processingTime: 7_000) { env, topics in
            env.fromSource(try topics.source(topics: ["in"]))
                .map { record in
                    let headers = record.headers.map { "\($0.key)=\(String(decoding: $0.value, as: UTF8.self))" }.joined(separator: ",")
                    return "\(record.topic)[\(record.partition)]@\(record.offset) t=\(record.timestamp) \(String(decoding: record.value ?? [], as: UTF8.self)) h=\(headers)"
                }
                .sink(to: topics.sink(topic: "out"), serializer: UTF8StringCodec())
        }
    }

    func testRecordsLandWhereKafkaWouldPutThemWithConsecutiveOffsets() throws {
        let driver = echoDriver()
        defer { _ = try? driver.close() }
        let input = try driver.input("in", partitions: 4, serializer: UTF8StringCodec())
        let out = driver.output("out", deserializer: UTF8StringCodec())
        let keys = ["alpha", "beta", "gamma", "delta", "alpha"]
        var offsets = [Int32: Int64]()
        var expected: [String] = []
        for (index, key) in keys.enumerated() {
            try input.pipe(value: "v\(index)", key: key, timestamp: Int64(index) * 10, headers: [RecordHeader(key: "n", string: "\(index)")])
            let partition = Int32(Murmur2.partition(key: Array(key.utf8), partitionCount: 4))
            let offset = offsets[partition, default: 0]
            offsets[partition] = offset + 1
            expected.append("in[\(partition)]@\(offset) t=\(index * 10) v\(index) h=n=\(index)")
            XCTAssertEqual(try out.readValues(), [expected.last!])
        }
        // Without key: round robin from partition 0, stamped with the processing time.
        try input.pipe(values: ["r0", "r1", "r2", "r3", "r4"])
        var roundRobin: [String] = []
        for (index, value) in ["r0", "r1", "r2", "r3", "r4"].enumerated() {
            let partition = Int32(index % 4)
            let offset = offsets[partition, default: 0]
            offsets[partition] = offset + 1
            roundRobin.append("in[\(partition)]@\(offset) t=7000 \(value) h=")
        }
        XCTAssertEqual(try out.readValues().sorted(), roundRobin.sorted())
        // An explicit partition wins over the key.
        try input.pipe(value: "p", key: "alpha", timestamp: 1, partition: 3)
        XCTAssertEqual(try out.readValues(), ["in[3]@\(offsets[3, default: 0]) t=1 p h="])
    }

    func testMoreRecordsThanABatchAreAllProcessedBeforePipeReturns() throws {
        let driver = echoDriver(batchSize: 3)
        defer { _ = try? driver.close() }
        let input = try driver.input("in", serializer: UTF8StringCodec())
        let out = driver.output("out", deserializer: UTF8StringCodec())
        let values = (0..<10).map { "x\($0)" }
        try input.pipe(values: values, timestamp: 5)
        XCTAssertEqual(try out.readValues(), values.indices.map { "in[0]@\($0) t=5 x\($0) h=" })
        let metrics = try XCTUnwrap(try driver.close())
        XCTAssertEqual(metrics.recordsRead, 10)
        XCTAssertGreaterThanOrEqual(metrics.rounds, 4, "10 records in batches of 3 take 4 rounds")
    }

    func testAnUndeclaredTopicIsNamed() throws {
        let driver = TestDriver { env, topics in
            env.fromSource(try topics.source(topics: ["missing"])).sink(to: topics.sink(topic: "out")) { SinkRecord(value: $0.value) }
        }
        _ = try driver.input("other")
        XCTAssertThrowsError(try driver.advanceProcessingTime(by: .seconds(1))) { error in
            XCTAssertEqual(error as? TestDriverError, .undeclaredTopic("missing"))
            XCTAssertTrue("\(error)".contains("driver.input(\"missing\""), "\(error)")
        }
        XCTAssertThrowsError(try driver.input("other", partitions: 2)) { error in
            XCTAssertEqual(error as? TestDriverError, .partitionCountMismatch(topic: "other", declared: 1, requested: 2))
        }
        XCTAssertThrowsError(try driver.input("other").pipe(value: [1], partition: 1)) { error in
            XCTAssertEqual(error as? TestDriverError, .noSuchPartition(topic: "other", partition: 1, partitions: 1))
        }
    }

    func testAFailingRecordFailsThePipeNamingItAndStopsTheJob() throws {
        let driver = TestDriver(jobName: "numbers") { env, topics in
            env.fromSource(try topics.source(topics: ["numbers"]), deserializer: JSONCodec<Int>())
                .map { $0 * 2 }
                .sink(to: topics.sink(topic: "doubled"), serializer: JSONCodec<Int>())
        }
        let numbers = try driver.input("numbers", partitions: 2, serializer: UTF8StringCodec())
        let doubled = driver.output("doubled", deserializer: JSONCodec<Int>())
        try numbers.pipe(value: "21", partition: 1)
        XCTAssertEqual(try doubled.readValues(), [42])
        XCTAssertThrowsError(try numbers.pipe(value: "twenty", partition: 1)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("numbers") && message.contains("1") && message.contains("offset 1"), message)
        }
        XCTAssertThrowsError(try numbers.pipe(value: "1")) { error in
            guard case .jobNotRunning(let reason) = error as? TestDriverError else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.hasPrefix("it failed:"), reason)
        }
        XCTAssertNil(try driver.close())
    }

    func testSkippedRecordsFollowTheJobsPolicy() throws {
        var configuration = JobConfiguration()
        configuration.badInputPolicy = .skip
        let driver = TestDriver(configuration: configuration) { env, topics in
            env.fromSource(try topics.source(topics: ["numbers"]), deserializer: JSONCodec<Int>())
                .sink(to: topics.sink(topic: "out"), serializer: JSONCodec<Int>())
        }
        let numbers = try driver.input("numbers", serializer: UTF8StringCodec())
        try numbers.pipe([TestRecord(value: "1", key: nil as String?), TestRecord(value: "x", key: nil as String?), TestRecord(value: "3", key: nil as String?)])
        XCTAssertEqual(try driver.output("out", deserializer: JSONCodec<Int>()).readValues(), [1, 3])
        let metrics = try XCTUnwrap(try driver.close())
        XCTAssertEqual(metrics.skippedRecords, 1)
        XCTAssertThrowsError(try numbers.pipe(value: "4")) { error in
            XCTAssertEqual(error as? TestDriverError, .jobNotRunning("the driver was closed"))
        }
    }
}
