import BrokerRig
import RdKafka
import XCTest

/// Errors injected into the in-process mock cluster (`rd_kafka_mock_push_request_errors`)
/// surface from the transactional API with librdkafka's classification, and the producer
/// recovers as that class promises.
final class MockFaultInjectionTests: RdKafkaTestCase {
    private var cluster: MockCluster!
    private var topic = ""

    override func setUp() {
        setUpCluster()
    }

    private func setUpCluster() {
        do {
            cluster = try MockCluster(brokers: 1)
            topic = uniqueName("faults")
            try cluster.createTopic(topic, partitions: 2)
        } catch {
            XCTFail("mock cluster: \(error)")
        }
        announce("in-process mock cluster")
    }

    private func transactionalProducer(_ deliveries: DeliveryCollector? = nil) throws -> KafkaProducer {
        var configuration = ProducerConfiguration(bootstrapServers: cluster.bootstrapServers)
        configuration.transactionalID = uniqueName("txn")
        configuration.client.properties["message.send.max.retries"] = "3"
        let producer = try KafkaProducer(configuration: configuration, onDelivery: deliveries?.handler)
        try producer.initTransactions()
        return producer
    }

    private func send(_ producer: KafkaProducer, _ count: Int) throws {
        for i in 0..<count {
            try producer.send(topic: topic, partition: Int32(i % 2), key: Array("k\(i)".utf8), value: Array("v\(i)".utf8))
        }
    }

    /// After an abortable error: abort, then a new transaction commits.
    private func assertRecoversByAbort(_ producer: KafkaProducer) throws {
        do { try producer.abortTransaction() } catch { XCTFail("abort: \(error)"); throw error }
        do { try producer.beginTransaction() } catch { XCTFail("begin: \(error)"); throw error }
        do { try send(producer, 3) } catch { XCTFail("send: \(error)"); throw error }
        do { try producer.commitTransaction() } catch { XCTFail("commit: \(error)"); throw error }
    }

    /// A record the broker refuses for good (MSG_SIZE_TOO_LARGE on Produce) fails the
    /// transaction as abortable.
    ///
    /// Seen with both librdkafka 2.0.2 and 2.16 (``testProduceErrorIsAbortableOnLibrdkafka216``):
    /// the refused record leaves a gap in the idempotent sequence, the abort does not bump the
    /// producer epoch, and the *next* transaction fails on that gap with
    /// OUT_OF_ORDER_SEQUENCE_NUMBER (abortable, "requires epoch bump"). Its abort bumps the
    /// epoch, and the transaction after it commits. A caller must therefore treat every
    /// abortable error alike, abort and retry, and not assume one abort is enough.
    func testProduceErrorThatFailsDeliveryIsAbortable() throws {
        try produceErrorScenario()
    }

    func testProduceErrorIsAbortableOnLibrdkafka216() throws {
        guard try runsOnLibrdkafka216() else { return }
        setUpCluster()
        try produceErrorScenario()
    }

    private func produceErrorScenario() throws {
        let deliveries = DeliveryCollector()
        let producer = try transactionalProducer(deliveries)
        try producer.beginTransaction()
        cluster.pushRequestErrors(.produce, [.messageSizeTooLarge])
        try send(producer, 1)
        XCTAssertThrowsError(try producer.commitTransaction()) { error in
            let error = error as! KafkaError
            XCTAssertEqual(error.classification, .abortable, "\(error)")
        }
        XCTAssertEqual(deliveries.all.first?.error?.name, "MSG_SIZE_TOO_LARGE")
        try producer.abortTransaction()
        try producer.beginTransaction()
        try send(producer, 1)
        XCTAssertThrowsError(try producer.commitTransaction()) { error in
            let error = error as! KafkaError
            XCTAssertEqual(error.name, "OUT_OF_ORDER_SEQUENCE_NUMBER", "\(error)")
            XCTAssertEqual(error.classification, .abortable, "\(error)")
        }
        try assertRecoversByAbort(producer)
    }

    func testRetriableProduceErrorsAreRetriedInsideTheTransaction() throws {
        let deliveries = DeliveryCollector()
        let producer = try transactionalProducer(deliveries)
        try producer.beginTransaction()
        cluster.pushRequestErrors(.produce, [.notEnoughReplicas, .notEnoughReplicas])
        try send(producer, 4)
        try producer.commitTransaction()
        XCTAssertEqual(deliveries.all.count, 4)
        XCTAssertTrue(deliveries.all.allSatisfy { $0.error == nil }, "\(deliveries.all.compactMap(\.error))")
    }

    func testAddPartitionsToTxnAuthorizationErrorIsAbortable() throws {
        let producer = try transactionalProducer()
        try producer.beginTransaction()
        cluster.pushRequestErrors(.addPartitionsToTxn, [.topicAuthorizationFailed])
        try send(producer, 1)
        XCTAssertThrowsError(try producer.commitTransaction()) { error in
            let error = error as! KafkaError
            XCTAssertEqual(error.classification, .abortable, "\(error)")
        }
        try assertRecoversByAbort(producer)
    }

    func testAddPartitionsToTxnFencedIsFatal() throws {
        let producer = try transactionalProducer()
        try producer.beginTransaction()
        cluster.pushRequestErrors(.addPartitionsToTxn, [.producerFenced])
        try send(producer, 1)
        XCTAssertThrowsError(try producer.commitTransaction()) { error in
            let error = error as! KafkaError
            XCTAssertEqual(error.classification, .fatal, "\(error)")
        }
        XCTAssertNotNil(producer.fatalError)
        XCTAssertThrowsError(try producer.beginTransaction())
    }

    func testEndTxnFencedIsFatal() throws {
        let producer = try transactionalProducer()
        try producer.beginTransaction()
        try send(producer, 2)
        try producer.flush()
        cluster.pushRequestErrors(.endTxn, [.producerFenced])
        XCTAssertThrowsError(try producer.commitTransaction()) { error in
            let error = error as! KafkaError
            XCTAssertEqual(error.classification, .fatal, "\(error)")
        }
        XCTAssertNotNil(producer.fatalError)
    }

    func testEndTxnTimeoutIsRetriableAndRetryCommits() throws {
        let producer = try transactionalProducer()
        try producer.beginTransaction()
        try send(producer, 2)
        try producer.flush()
        // The coordinator keeps answering "not available": the commit cannot finish in time.
        cluster.pushRequestErrors(.endTxn, Array(repeating: .coordinatorNotAvailable, count: 30))
        XCTAssertThrowsError(try producer.commitTransaction(timeout: .milliseconds(300))) { error in
            let error = error as! KafkaError
            XCTAssertEqual(error.classification, .retriable, "\(error)")
        }
        cluster.clearRequestErrors(.endTxn)
        try producer.commitTransaction()
        try producer.beginTransaction()
        try send(producer, 1)
        try producer.commitTransaction()
    }
}
