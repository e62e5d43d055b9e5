import CRdKafka
import Logging
import Synchronization

/// A Kafka consumer: a member of a consumer group (``subscribe(topics:)``) or a reader of
/// partitions it assigns itself (``assign(_:)``).
///
/// Records come in batches from ``poll(maxRecords:timeout:_:)``, seen in place without a
/// copy, or copied by ``poll(maxRecords:timeout:)``. Poll from one thread at a time; the other
/// methods are thread-safe, as librdkafka's are (hence `@unchecked Sendable`: the handle
/// and queue pointers it holds are used only through librdkafka's thread-safe calls).
///
/// ## Rebalances
///
/// librdkafka runs the group's rebalance callback on the polling thread, inside a poll. A
/// consumer made with a ``RebalanceListener`` calls it there and applies the change before the
/// callback returns. A consumer that **defers** its rebalances
/// (``init(configuration:deferringRebalances:logger:)``) only records the change and returns:
/// the application takes the changes after the poll (``takeRebalanceChanges()``), does what it
/// must (restore state, commit), and completes each one (``completeAssignment(_:)``,
/// ``completeRevocation(_:)``). The group waits for the completion, as it waits for a listener
/// to return; assigned partitions are not fetched before it.
public final class KafkaConsumer: @unchecked Sendable {
    let client: RDKafkaClient
    private let queue: OpaquePointer
    private let listener: (any RebalanceListener)?
    private let defersRebalances: Bool
    private let pendingChanges = Mutex<[RebalanceChange]>([])
    private let insideRebalanceCallback = Atomic<Bool>(false)
    private let pollBuffer: Mutex<PollBuffer>
    private let closed = Atomic<Bool>(false)

    /// Creates a consumer whose rebalances `rebalanceListener` hears (or that applies them as the
    /// group says); throws with librdkafka's message when a property is invalid.
    public convenience init(
        configuration: ConsumerConfiguration, rebalanceListener: (any RebalanceListener)? = nil,
        logger: Logger = Logger(label: "rdkafka.consumer")
    ) throws {
        try self.init(configuration: configuration, listener: rebalanceListener, defersRebalances: false, logger: logger)
    }

    /// Creates a consumer that defers its rebalances when `deferringRebalances` is `true`: its
    /// callback records each change for ``takeRebalanceChanges()`` and returns, and nothing
    /// changes in its assignment until the application completes the change.
    public convenience init(
        configuration: ConsumerConfiguration, deferringRebalances: Bool, logger: Logger = Logger(label: "rdkafka.consumer")
    ) throws {
        try self.init(configuration: configuration, listener: nil, defersRebalances: deferringRebalances, logger: logger)
    }

    private init(
        configuration: ConsumerConfiguration, listener rebalanceListener: (any RebalanceListener)?, defersRebalances: Bool,
        logger: Logger
    ) throws {
        client = try RDKafkaClient(kind: .consumer, properties: configuration.librdkafkaProperties, logger: logger) { conf in
            rd_kafka_conf_set_rebalance_cb(conf, rebalanceCallback)
        }
        // Serve logs, rebalances and errors from the consumer queue we poll.
        rd_kafka_poll_set_consumer(client.handle)
        queue = rd_kafka_queue_get_consumer(client.handle)
        listener = rebalanceListener
        self.defersRebalances = defersRebalances
        pollBuffer = Mutex(PollBuffer())
        client.context.rebalanceHandler = { [unowned self] err, partitions in
            self.rebalance(err, partitions)
        }
    }

    deinit {
        // The listener cannot be handed a consumer that is being destroyed: call close()
        // first to hear the final revoke.
        client.context.rebalanceHandler = nil
        close()
        rd_kafka_queue_destroy(queue)
    }

    // MARK: Membership

    /// Joins the group and subscribes to topics; a name starting with `^` is a regex pattern.
    public func subscribe(topics: [String]) throws {
        let list = TopicPartitionList.make(topics.map { TopicPartition($0, RD_KAFKA_PARTITION_UA) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        try KafkaError.check(rd_kafka_subscribe(client.handle, list), "subscribe to \(topics)")
    }

    /// Reads exactly these partitions, without a group, from the given offsets
    /// (``KafkaOffset`` values allowed).
    ///
    /// Looks up the topics' metadata first: librdkafka otherwise starts the partitions
    /// before it knows their leaders and retries only after its offset-query interval
    /// (500 ms, measured on Tansu).
    public func assign(_ partitions: [TopicPartitionOffset]) throws {
        for topic in Set(partitions.map(\.topic)) { warmMetadata(topic) }
        let list = TopicPartitionList.make(partitions)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        try KafkaError.check(rd_kafka_assign(client.handle, list), "assign \(partitions)")
    }

    /// The partitions currently assigned to this consumer.
    public func assignment() throws -> [TopicPartition] {
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        try KafkaError.check(rd_kafka_assignment(client.handle, &list), "assignment")
        guard let list else { return [] }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        return TopicPartitionList.partitions(list)
    }

    /// Whether the group took the current assignment away without a revoke (the session
    /// expired, or the member was fenced), as librdkafka's `rd_kafka_assignment_lost` tells:
    /// committing work of those partitions now could duplicate the new owner's.
    public var assignmentLost: Bool {
        rd_kafka_assignment_lost(client.handle) != 0
    }

    /// The group metadata to pass to ``KafkaProducer/sendOffsetsToTransaction(_:groupMetadata:timeout:)``.
    public func groupMetadata() throws -> ConsumerGroupMetadata {
        guard let handle = rd_kafka_consumer_group_metadata(client.handle) else {
            throw KafkaError.client("group metadata unavailable: the consumer has no group.id")
        }
        return ConsumerGroupMetadata(handle: handle)
    }

    /// Commits offsets (the *next* offsets to read) and optional metadata, synchronously.
    public func commit(_ offsets: [TopicPartitionOffset]) throws {
        guard !offsets.isEmpty else { return }
        let list = TopicPartitionList.make(offsets)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        try KafkaError.check(rd_kafka_commit(client.handle, list, 0), "commit \(offsets)")
        try TopicPartitionList.checkErrors(list, "commit")
    }

    /// The group's committed offsets (and metadata, where the broker keeps it) for partitions;
    /// ``KafkaOffset/invalid`` where nothing is committed.
    public func committed(_ partitions: [TopicPartition], timeout: Duration = .seconds(10)) throws -> [TopicPartitionOffset] {
        let list = TopicPartitionList.make(partitions)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        try KafkaError.check(rd_kafka_committed(client.handle, list, timeout.timeoutMilliseconds), "committed offsets of \(partitions)")
        try TopicPartitionList.checkErrors(list, "committed offset of")
        return TopicPartitionList.offsets(list)
    }

    // MARK: Deferred rebalances

    /// The changes the group made since the last call, oldest first, for a consumer that defers
    /// its rebalances; each waits for ``completeAssignment(_:)`` or ``completeRevocation(_:)``.
    public func takeRebalanceChanges() -> [RebalanceChange] {
        pendingChanges.withLock { changes in
            defer { changes = [] }
            return changes
        }
    }

    /// Completes an assignment: starts fetching the partitions, each at its offset
    /// (``KafkaOffset`` values allowed: ``KafkaOffset/invalid`` resumes at the group's
    /// committed offset, or as `auto.offset.reset` says).
    public func completeAssignment(_ partitions: [TopicPartitionOffset]) throws {
        try requireOutsideRebalanceCallback("complete an assignment")
        let list = TopicPartitionList.make(partitions)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        if isCooperative {
            if let error = rd_kafka_incremental_assign(client.handle, list) {
                throw KafkaError(consuming: error)
            }
        } else {
            try KafkaError.check(rd_kafka_assign(client.handle, list), "assign \(partitions)")
        }
    }

    /// Completes a revocation or a loss: stops fetching the partitions, which lets the group
    /// hand them to another member.
    public func completeRevocation(_ partitions: [TopicPartition]) throws {
        try requireOutsideRebalanceCallback("complete a revocation")
        if isCooperative {
            let list = TopicPartitionList.make(partitions)
            defer { rd_kafka_topic_partition_list_destroy(list) }
            if let error = rd_kafka_incremental_unassign(client.handle, list) {
                throw KafkaError(consuming: error)
            }
        } else {
            try KafkaError.check(rd_kafka_assign(client.handle, nil), "unassign \(partitions)")
        }
    }

    /// Whether librdkafka is running this consumer's rebalance callback right now (on the polling
    /// thread, inside a poll or a close): code that must not run there (a restore, a seek)
    /// checks it.
    public var isInRebalanceCallback: Bool {
        insideRebalanceCallback.load(ordering: .acquiring)
    }

    private var isCooperative: Bool {
        String(cString: rd_kafka_rebalance_protocol(client.handle)) == "COOPERATIVE"
    }

    private func requireOutsideRebalanceCallback(_ what: String) throws {
        guard !isInRebalanceCallback else {
            throw KafkaError.client("cannot \(what) inside the consumer's rebalance callback: take the change with takeRebalanceChanges() after the poll")
        }
    }

    /// Completes changes nobody took before a close or a leave: assignments as the group made
    /// them (the close then revokes them), revocations and losses as they are.
    func completeLeftoverChanges() {
        for change in takeRebalanceChanges() {
            do {
                switch change.kind {
                case .assigned:
                    try completeAssignment(change.partitions.map { TopicPartitionOffset($0.topic, $0.partition, offset: KafkaOffset.invalid) })
                case .revoked, .lost:
                    try completeRevocation(change.partitions)
                }
            } catch {
                client.context.logger.warning("consumer close: completing a \(change.kind) change: \(error)")
            }
        }
    }

    /// Leaves the group (revoking partitions through the listener) and stops fetching.
    /// Later calls do nothing. A consumer that defers its rebalances completes every change
    /// still pending, and applies the revocation of the close itself.
    public func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        completeLeftoverChanges()
        client.context.closing.store(true, ordering: .relaxed)
        let err = rd_kafka_consumer_close(client.handle)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            client.context.logger.warning("consumer close: \(KafkaError(code: err))")
        }
    }

    /// Describes a topic from the cluster's metadata; throws when it does not exist.
    public func describeTopic(_ name: String, timeout: Duration = .seconds(10)) throws -> TopicDescription {
        try client.describeTopic(name, timeout: timeout)
    }

    /// The names of every topic in the cluster, sorted.
    public func listTopics(timeout: Duration = .seconds(10)) throws -> [String] {
        try client.listTopics(timeout: timeout)
    }

    // MARK: Reading

    /// Polls up to `maxRecords` records and hands each to `body` in place, in order.
    ///
    /// Serves rebalances too. Returns how many records were handed out. Errors that
    /// librdkafka only reports (a broker going down, which it retries) are logged; errors
    /// that stop consumption (fatal, unknown topic, authorization, offset out of range with
    /// `auto.offset.reset=error`) are thrown after every record of the batch was handed out,
    /// so none is skipped.
    @discardableResult
    public func poll(maxRecords: Int = 1024, timeout: Duration, _ body: (KafkaRecordView) throws -> Void) throws -> Int {
        try pollBuffer.withLock { buffer in
            buffer.reserve(maxRecords)
            // rd_kafka_consume_batch_queue waits for a *full* batch until the timeout, so
            // take what is queued without waiting, and only when nothing is, wait for one
            // record and then take whatever arrived with it.
            var count = rd_kafka_consume_batch_queue(queue, 0, buffer.messages, maxRecords)
            if count == 0 {
                count = rd_kafka_consume_batch_queue(queue, timeout.timeoutMilliseconds, buffer.messages, 1)
                if count == 1 && maxRecords > 1 {
                    count += max(0, rd_kafka_consume_batch_queue(queue, 0, buffer.messages + 1, maxRecords - 1))
                }
            }
            guard count > 0 else { return 0 }
            var handed = 0
            var firstError: KafkaError?
            var index = 0
            defer {
                while index < count { rd_kafka_message_destroy(buffer.messages[index]); index += 1 }
            }
            // A batch holds runs of one topic: read each topic's name once, not per record.
            var lastTopicHandle: OpaquePointer?
            var lastTopic = ""
            while index < count {
                let message = buffer.messages[index]!
                if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                    if message.pointee.rkt != lastTopicHandle {
                        lastTopicHandle = message.pointee.rkt
                        lastTopic = String(cString: rd_kafka_topic_name(message.pointee.rkt))
                    }
                    try body(KafkaRecordView(message: message, topic: lastTopic))
                    handed += 1
                } else if firstError == nil, let error = consumerError(message) {
                    firstError = error
                }
                rd_kafka_message_destroy(message)
                index += 1
            }
            if let firstError { throw firstError }
            return handed
        }
    }

    /// Polls up to `maxRecords` records, copied.
    public func poll(maxRecords: Int = 1024, timeout: Duration) throws -> [ConsumerRecord] {
        var out: [ConsumerRecord] = []
        try poll(maxRecords: maxRecords, timeout: timeout) { out.append($0.makeRecord()) }
        return out
    }

    /// Moves the fetch position of assigned partitions.
    public func seek(_ offsets: [TopicPartitionOffset], timeout: Duration = .seconds(10)) throws {
        let list = TopicPartitionList.make(offsets)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        try KafkaError.check(consuming: rd_kafka_seek_partitions(client.handle, list, timeout.timeoutMilliseconds))
        try TopicPartitionList.checkErrors(list, "seek")
    }

    /// Stops fetching from partitions until ``resume(_:)``; they stay assigned.
    public func pause(_ partitions: [TopicPartition]) throws {
        let list = TopicPartitionList.make(partitions)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        try KafkaError.check(rd_kafka_pause_partitions(client.handle, list), "pause \(partitions)")
    }

    /// Resumes fetching from paused partitions.
    public func resume(_ partitions: [TopicPartition]) throws {
        let list = TopicPartitionList.make(partitions)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        try KafkaError.check(rd_kafka_resume_partitions(client.handle, list), "resume \(partitions)")
    }

    /// The next offset this consumer will hand out for each partition
    /// (``KafkaOffset/invalid`` before the first record).
    public func position(_ partitions: [TopicPartition]) throws -> [TopicPartitionOffset] {
        let list = TopicPartitionList.make(partitions)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        try KafkaError.check(rd_kafka_position(client.handle, list), "position of \(partitions)")
        return TopicPartitionList.offsets(list)
    }

    /// Asks the partition leader for the low and high watermarks.
    public func watermarks(_ partition: TopicPartition, timeout: Duration = .seconds(10)) throws -> Watermarks {
        var low: Int64 = 0
        var high: Int64 = 0
        try KafkaError.check(
            rd_kafka_query_watermark_offsets(client.handle, partition.topic, partition.partition, &low, &high, timeout.timeoutMilliseconds),
            "watermarks of \(partition)")
        return Watermarks(low: low, high: high)
    }

    /// The low and high watermarks as librdkafka last learned them from fetch responses, without
    /// asking the broker; `nil` before the partition's first fetch response.
    public func cachedWatermarks(_ partition: TopicPartition) -> Watermarks? {
        var low: Int64 = 0
        var high: Int64 = 0
        let error = rd_kafka_get_watermark_offsets(client.handle, partition.topic, partition.partition, &low, &high)
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR, high >= 0 else { return nil }
        return Watermarks(low: low, high: high)
    }

    /// For each partition, the first offset whose timestamp is at or after `timestamp`
    /// (milliseconds since the epoch), or ``KafkaOffset/end`` when there is none.
    public func offsets(forTimestamp timestamp: Int64, in partitions: [TopicPartition], timeout: Duration = .seconds(10)) throws -> [TopicPartitionOffset] {
        let list = TopicPartitionList.make(partitions, offset: timestamp)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        try KafkaError.check(rd_kafka_offsets_for_times(client.handle, list, timeout.timeoutMilliseconds), "offsets for time \(timestamp)")
        try TopicPartitionList.checkErrors(list, "offsets for time of")
        return TopicPartitionList.offsets(list)
    }

    // MARK: Internals

    private func warmMetadata(_ topic: String) {
        guard let rkt = rd_kafka_topic_new(client.handle, topic, nil) else { return }
        defer { rd_kafka_topic_destroy(rkt) }
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let err = rd_kafka_metadata(client.handle, 0, rkt, &metadata, 5000)
        if let metadata { rd_kafka_metadata_destroy(metadata) }
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            // Not fatal: fetching starts once librdkafka learns the leaders by itself.
            client.context.logger.info("metadata of \(topic) before assign: \(KafkaError(code: err))")
        }
    }

    private func consumerError(_ message: UnsafeMutablePointer<rd_kafka_message_t>) -> KafkaError? {
        let m = message.pointee
        if m.err == RD_KAFKA_RESP_ERR__PARTITION_EOF { return nil }
        let text: String
        if let payload = m.payload {
            text = String(decoding: UnsafeRawBufferPointer(start: payload, count: m.len), as: UTF8.self)
        } else {
            text = String(cString: rd_kafka_err2str(m.err))
        }
        let place = m.rkt.map { "\(String(cString: rd_kafka_topic_name($0)))[\(m.partition)]" } ?? "consumer"
        let error = KafkaError(code: m.err, message: "\(place): \(text)")
        switch m.err {
        case RD_KAFKA_RESP_ERR__FATAL, RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART,
             RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED,
             RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET:
            return error
        default:
            client.context.logger.warning("consumer: \(error)")
            return nil
        }
    }

    private func rebalance(_ err: rd_kafka_resp_err_t, _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        insideRebalanceCallback.store(true, ordering: .releasing)
        defer { insideRebalanceCallback.store(false, ordering: .releasing) }
        let rk = client.handle
        let cooperative = String(cString: rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE"
        let changed = TopicPartitionList.partitions(partitions)
        if defersRebalances, !client.context.closing.load(ordering: .relaxed) {
            let kind: RebalanceChange.Kind = err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS
                ? .assigned : rd_kafka_assignment_lost(rk) != 0 ? .lost : .revoked
            pendingChanges.withLock { $0.append(RebalanceChange(kind: kind, partitions: changed)) }
            return
        }
        if err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS {
            let starts = listener?.partitionsAssigned(changed, consumer: self) ?? [:]
            for i in 0..<Int(partitions.pointee.cnt) {
                let e = partitions.pointee.elems[i]
                if let start = starts[TopicPartition(String(cString: e.topic), e.partition)] {
                    partitions.pointee.elems[i].offset = start
                }
            }
            if cooperative {
                if let error = rd_kafka_incremental_assign(rk, partitions) {
                    client.context.logger.error("incremental assign: \(KafkaError(consuming: error))")
                }
            } else {
                rd_kafka_assign(rk, partitions)
            }
        } else {
            if rd_kafka_assignment_lost(rk) != 0 {
                listener?.partitionsLost(changed, consumer: self)
            } else {
                listener?.partitionsRevoked(changed, consumer: self)
            }
            if cooperative {
                if let error = rd_kafka_incremental_unassign(rk, partitions) {
                    client.context.logger.error("incremental unassign: \(KafkaError(consuming: error))")
                }
            } else {
                rd_kafka_assign(rk, nil)
            }
        }
    }
}

/// Reusable storage for the message pointers of one batch poll.
struct PollBuffer: ~Copyable {
    var messages: UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_message_t>?>
    var capacity: Int

    init() {
        capacity = 1024
        messages = .allocate(capacity: capacity)
    }

    mutating func reserve(_ count: Int) {
        guard count > capacity else { return }
        messages.deallocate()
        capacity = count
        messages = .allocate(capacity: capacity)
    }

    deinit { messages.deallocate() }
}

private func rebalanceCallback(
    _ rk: OpaquePointer?, _ err: rd_kafka_resp_err_t,
    _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, _ opaque: UnsafeMutableRawPointer?
) {
    guard let context = ClientContext.from(rk), let partitions else { return }
    if let handler = context.rebalanceHandler {
        handler(err, partitions)
    } else if String(cString: rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE" {
        let error = err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS
            ? rd_kafka_incremental_assign(rk, partitions) : rd_kafka_incremental_unassign(rk, partitions)
        if let error { rd_kafka_error_destroy(error) }
    } else {
        rd_kafka_assign(rk, err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS ? partitions : nil)
    }
}
