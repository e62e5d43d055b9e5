import CRdKafka
import Logging
import Synchronization

/// A Kafka producer: plain, idempotent or transactional.
///
/// Sending only enqueues; records leave in batches from librdkafka's threads. Delivery
/// reports reach ``init(configuration:logger:onDelivery:)``'s handler from
/// ``poll(timeout:)`` and ``flush(timeout:)``, on the calling thread. All methods are
/// thread-safe, as librdkafka's producer is; the transactional calls must not overlap each
/// other (librdkafka rejects that with `_CONFLICT`).
public final class KafkaProducer: Sendable {
    let client: RDKafkaClient
    let topics: ProducerTopics
    /// The producer's `message.max.bytes`: records that may come near it are never batched.
    let maxMessageBytes: Int

    /// Creates a producer; throws with librdkafka's message when a property is invalid.
    /// - Parameter onDelivery: called once per record from ``poll(timeout:)`` and
    ///   ``flush(timeout:)``.
    public init(
        configuration: ProducerConfiguration, logger: Logger = Logger(label: "rdkafka.producer"),
        onDelivery: (@Sendable (DeliveryReport) -> Void)? = nil
    ) throws {
        client = try RDKafkaClient(kind: .producer, properties: configuration.librdkafkaProperties, logger: logger) { conf in
            if onDelivery != nil { rd_kafka_conf_set_dr_msg_cb(conf, deliveryReportCallback) }
        }
        client.context.deliveryHandler = onDelivery
        topics = ProducerTopics(client: client)
        maxMessageBytes = Self.messageMaxBytes(client.handle)
    }

    deinit {
        // Topic handles must go before the client handle that owns them.
        topics.removeAll()
    }

    /// The loaded librdkafka's version, e.g. `2.0.2`.
    public static var librdkafkaVersion: String { RDKafkaClient.librdkafkaVersion }

    /// Enqueues one record. Blocks, serving delivery reports, while librdkafka's queue is
    /// full. Bytes are copied, so the buffers may be reused as soon as this returns.
    public func send(
        topic: String, partition: Int32? = nil, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?,
        headers: [KafkaHeader] = [], timestamp: Int64? = nil, token: UInt = 0
    ) throws {
        let rkt = try topics.handle(topic)
        var headerList: OpaquePointer?
        if !headers.isEmpty {
            let list = rd_kafka_headers_new(headers.count)!
            for header in headers {
                if let v = header.value {
                    _ = v.withUnsafeBytes { rd_kafka_header_add(list, header.key, -1, $0.baseAddress, $0.count) }
                } else {
                    _ = rd_kafka_header_add(list, header.key, -1, nil, 0)
                }
            }
            headerList = list
        }
        let rk = client.handle
        try withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 8) { vus in
            var n = 0
            func add(_ type: rd_kafka_vtype_t, _ set: (inout rd_kafka_vu_t) -> Void) {
                var vu = rd_kafka_vu_t()
                vu.vtype = type
                set(&vu)
                vus.initializeElement(at: n, to: vu)
                n += 1
            }
            add(RD_KAFKA_VTYPE_RKT) { $0.u.rkt = rkt.handle }
            add(RD_KAFKA_VTYPE_PARTITION) { $0.u.i32 = partition ?? RD_KAFKA_PARTITION_UA }
            add(RD_KAFKA_VTYPE_MSGFLAGS) { $0.u.i = RD_KAFKA_MSG_F_COPY }
            if let value {
                add(RD_KAFKA_VTYPE_VALUE) {
                    $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: value.baseAddress ?? nonNullEmpty)
                    $0.u.mem.size = value.count
                }
            }
            if let key {
                add(RD_KAFKA_VTYPE_KEY) {
                    $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: key.baseAddress ?? nonNullEmpty)
                    $0.u.mem.size = key.count
                }
            }
            if let timestamp { add(RD_KAFKA_VTYPE_TIMESTAMP) { $0.u.i64 = timestamp } }
            if token != 0 { add(RD_KAFKA_VTYPE_OPAQUE) { $0.u.ptr = UnsafeMutableRawPointer(bitPattern: token) } }
            if let headerList { add(RD_KAFKA_VTYPE_HEADERS) { $0.u.headers = headerList } }
            defer { vus.baseAddress!.deinitialize(count: n) }
            while true {
                guard let error = rd_kafka_produceva(rk, vus.baseAddress, n) else { return }
                if rd_kafka_error_code(error) == RD_KAFKA_RESP_ERR__QUEUE_FULL {
                    rd_kafka_error_destroy(error)
                    rd_kafka_poll(rk, 50)
                    continue
                }
                // On failure librdkafka has not taken the headers.
                if let headerList { rd_kafka_headers_destroy(headerList) }
                let failure = KafkaError(consuming: error)
                throw KafkaError(
                    code: failure.code, name: failure.name,
                    message: "produce to \(topic)[\(partition.map(String.init) ?? "any")]: \(failure.message)",
                    isRetriable: failure.isRetriable, requiresAbort: failure.requiresAbort, isFatal: failure.isFatal)
            }
        }
    }

    /// Enqueues one record; see ``send(topic:partition:key:value:headers:timestamp:token:)-(_,_,UnsafeRawBufferPointer?,_,_,_,_)``.
    public func send(
        topic: String, partition: Int32? = nil, key: [UInt8]?, value: [UInt8]?,
        headers: [KafkaHeader] = [], timestamp: Int64? = nil, token: UInt = 0
    ) throws {
        try withOptionalBytes(key) { k in
            try withOptionalBytes(value) { v in
                try send(topic: topic, partition: partition, key: k, value: v, headers: headers, timestamp: timestamp, token: token)
            }
        }
    }

    /// Enqueues a ``ProducerRecord``.
    public func send(_ record: ProducerRecord, token: UInt = 0) throws {
        try send(
            topic: record.topic, partition: record.partition, key: record.key, value: record.value,
            headers: record.headers, timestamp: record.timestamp, token: token)
    }

    /// Serves delivery reports and other callbacks; returns how many events were served.
    @discardableResult
    public func poll(timeout: Duration = .zero) -> Int {
        Int(rd_kafka_poll(client.handle, timeout.timeoutMilliseconds))
    }

    /// Waits until every enqueued record is delivered or failed, serving delivery reports.
    public func flush(timeout: Duration = .seconds(30)) throws {
        try KafkaError.check(rd_kafka_flush(client.handle, timeout.timeoutMilliseconds), "flush")
    }

    /// Records enqueued or in flight, not yet reported.
    public var outstandingCount: Int { Int(rd_kafka_outq_len(client.handle)) }

    /// The producer's fatal error, if it has raised one (idempotence or transactions).
    public var fatalError: KafkaError? { client.fatalError }

    // MARK: Transactions

    /// Registers the `transactional.id` with the transaction coordinator, fencing any older
    /// producer with the same id, and finishes its pending transaction.
    public func initTransactions(timeout: Duration = .seconds(30)) throws {
        try KafkaError.check(consuming: rd_kafka_init_transactions(client.handle, timeout.timeoutMilliseconds))
    }

    /// Begins a transaction.
    public func beginTransaction() throws {
        try KafkaError.check(consuming: rd_kafka_begin_transaction(client.handle))
    }

    /// Adds consumer offsets to the current transaction: they are committed for the group
    /// if and only if the transaction commits. Offsets are the *next* offsets to consume.
    public func sendOffsetsToTransaction(
        _ offsets: [TopicPartitionOffset], groupMetadata: ConsumerGroupMetadata, timeout: Duration = .seconds(30)
    ) throws {
        let list = TopicPartitionList.make(offsets)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        try KafkaError.check(consuming: rd_kafka_send_offsets_to_transaction(
            client.handle, list, groupMetadata.handle, timeout.timeoutMilliseconds))
    }

    /// Flushes and commits the current transaction.
    public func commitTransaction(timeout: Duration = .seconds(30)) throws {
        try KafkaError.check(consuming: rd_kafka_commit_transaction(client.handle, timeout.timeoutMilliseconds))
    }

    /// Aborts the current transaction; its records stay invisible to read_committed readers.
    public func abortTransaction(timeout: Duration = .seconds(30)) throws {
        try KafkaError.check(consuming: rd_kafka_abort_transaction(client.handle, timeout.timeoutMilliseconds))
    }

    // MARK: Topic handles

    /// The name of the topic a ``DeliveryReport/topicID`` stands for.
    public func topicName(id: Int) -> String? {
        topics.name(id: id)
    }

    private static func messageMaxBytes(_ handle: OpaquePointer) -> Int {
        var buffer = [CChar](repeating: 0, count: 32)
        var size = buffer.count
        guard let conf = rd_kafka_conf(handle),
              rd_kafka_conf_get(conf, "message.max.bytes", &buffer, &size) == RD_KAFKA_CONF_OK else { return 1_000_000 }
        return Int(String(errorBuffer: buffer)) ?? 1_000_000
    }
}

/// A non-null address for an empty but present key or value (Kafka distinguishes an empty
/// value from a null one); librdkafka copies zero bytes from it.
var nonNullEmpty: UnsafeRawPointer { UnsafeRawPointer(bitPattern: 1)! }

func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) throws -> R) rethrows -> R {
    guard let bytes else { return try body(nil) }
    return try bytes.withUnsafeBytes { try body($0) }
}

/// Reports one delivery without making a `String`: the topic is the id its handle was opened
/// with (``ProducerTopics``); only a failure names it.
private func deliveryReportCallback(
    _ rk: OpaquePointer?, _ message: UnsafePointer<rd_kafka_message_t>?, _ opaque: UnsafeMutableRawPointer?
) {
    guard let context = ClientContext.from(rk), let handler = context.deliveryHandler, let message else { return }
    let m = message.pointee
    let topicID = m.rkt.map { ProducerTopics.id(of: $0) } ?? -1
    guard m.err != RD_KAFKA_RESP_ERR_NO_ERROR else {
        handler(DeliveryReport(topicID: topicID, partition: m.partition, offset: m.offset, token: UInt(bitPattern: m._private)))
        return
    }
    handler(DeliveryReport(
        topicID: topicID, partition: m.partition, offset: m.offset, token: UInt(bitPattern: m._private),
        error: KafkaError(code: m.err), failedTopic: m.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""))
}
