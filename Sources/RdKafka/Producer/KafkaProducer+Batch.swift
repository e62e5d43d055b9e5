import CRdKafka

extension KafkaProducer {
    /// How many records one `rd_kafka_produce_batch` call takes; their bytes stay pinned on the
    /// stack of nested `withUnsafeBytes` calls until it returns.
    static let batchLimit = 64

    /// Enqueues `count` records of one topic and one partition, without headers and without
    /// timestamps (librdkafka stamps them with one create time per call), through
    /// `rd_kafka_produce_batch`: one topic lock, one partition lookup and one clock reading per
    /// call of up to 64 records instead of per record. Blocks, serving delivery reports, while
    /// librdkafka's queue is full. Bytes are copied, as by ``send(topic:partition:key:value:headers:timestamp:token:)-(_,_,UnsafeRawBufferPointer?,_,_,_,_)``.
    ///
    /// Works inside a transaction as `send` does: each partition joins the transaction when its
    /// first record is enqueued.
    ///
    /// - Parameters:
    ///   - partition: the partition of every record, or `nil` for the partitioner's choice per record.
    ///   - bytes: the key and value of record `i` in `0..<count`; `nil` is Kafka's null.
    /// - Throws: ``ProduceBatchError`` for the first record librdkafka refused (too large, a
    ///   partition the topic does not have, the producer's fatal or transaction state): the
    ///   records before it were enqueued, it and those after it were not.
    public func sendBatch(
        topic: String, partition: Int32?, count: Int, bytes: (Int) -> (key: [UInt8]?, value: [UInt8]?)
    ) throws {
        guard count > 0 else { return }
        let rkt = try topics.handle(topic)
        let target = partition ?? RD_KAFKA_PARTITION_UA
        // Records that may come near message.max.bytes go alone through produceva, so a
        // refused one never sits between enqueued ones of the same call.
        let largest = max(0, maxMessageBytes - 1024)
        try withUnsafeTemporaryAllocation(of: rd_kafka_message_t.self, capacity: Self.batchLimit) { messages in
            var next = 0
            while next < count {
                let start = next
                let (filled, oversized) = try pinAndProduce(
                    messages, rkt: rkt, topic: topic, partition: target, start: start, count: count,
                    largest: largest, bytes: bytes)
                next = start + filled
                if let (key, value) = oversized {
                    do {
                        try send(topic: topic, partition: partition, key: key, value: value)
                    } catch let error as KafkaError {
                        throw ProduceBatchError(index: next, underlying: error)
                    }
                    next += 1
                }
            }
        }
    }

    /// Pins the bytes of up to ``batchLimit`` records from `start` and produces them; stops before
    /// an oversized record and returns it for a single send.
    private func pinAndProduce(
        _ messages: UnsafeMutableBufferPointer<rd_kafka_message_t>, rkt: TopicHandle, topic: String, partition: Int32,
        start: Int, count: Int, largest: Int, bytes: (Int) -> (key: [UInt8]?, value: [UInt8]?)
    ) throws -> (filled: Int, oversized: (key: [UInt8]?, value: [UInt8]?)?) {
        let limit = min(Self.batchLimit, count - start)
        var oversized: (key: [UInt8]?, value: [UInt8]?)?
        var filled = 0
        // Each level keeps one record's arrays pinned while the deeper levels run, so every
        // pointer handed to librdkafka is valid when rd_kafka_produce_batch copies it.
        func pin(_ i: Int) throws {
            guard i < limit else {
                try produce(messages, rkt: rkt, topic: topic, partition: partition, start: start, count: i)
                filled = i
                return
            }
            let record = bytes(start + i)
            if (record.key?.count ?? 0) + (record.value?.count ?? 0) > largest {
                oversized = record
                if i > 0 { try produce(messages, rkt: rkt, topic: topic, partition: partition, start: start, count: i) }
                filled = i
                return
            }
            try withOptionalBytes(record.key) { key in
                try withOptionalBytes(record.value) { value in
                    var message = rd_kafka_message_t()
                    if let value {
                        message.payload = UnsafeMutableRawPointer(mutating: value.baseAddress ?? nonNullEmpty)
                        message.len = value.count
                    }
                    if let key {
                        message.key = UnsafeMutableRawPointer(mutating: key.baseAddress ?? nonNullEmpty)
                        message.key_len = key.count
                    }
                    messages[i] = message
                    try pin(i + 1)
                }
            }
        }
        try pin(0)
        return (filled, oversized)
    }

    /// Produces `messages[0..<count]`, waiting out a full queue; throws for the first refused one.
    private func produce(
        _ messages: UnsafeMutableBufferPointer<rd_kafka_message_t>, rkt: TopicHandle, topic: String, partition: Int32,
        start: Int, count: Int
    ) throws {
        var offset = 0
        while offset < count {
            let remaining = count - offset
            let enqueued = Int(rd_kafka_produce_batch(
                rkt.handle, partition, RD_KAFKA_MSG_F_COPY, messages.baseAddress! + offset, Int32(remaining)))
            if enqueued == remaining { return }
            var failed = offset
            while messages[failed].err == RD_KAFKA_RESP_ERR_NO_ERROR { failed += 1 }
            let code = messages[failed].err
            // librdkafka holds the topic lock for the whole call and turns a full queue into an
            // error for every later record, so refusals form a suffix; anything else would
            // leave enqueued records behind a refused one, which no caller could resume from.
            guard (failed..<count).allSatisfy({ messages[$0].err != RD_KAFKA_RESP_ERR_NO_ERROR }) else {
                throw KafkaError(
                    code: code.rawValue, name: String(cString: rd_kafka_err2name(code)),
                    message: "produce batch to \(topic)[\(partitionText(partition))]: record \(start + failed) refused (\(String(cString: rd_kafka_err2str(code)))) after later ones were enqueued")
            }
            if code == RD_KAFKA_RESP_ERR__QUEUE_FULL {
                rd_kafka_poll(client.handle, 50)
                offset = failed
                continue
            }
            throw ProduceBatchError(index: start + failed, underlying: KafkaError(
                code: code.rawValue, name: String(cString: rd_kafka_err2name(code)),
                message: "produce to \(topic)[\(partitionText(partition))]: \(String(cString: rd_kafka_err2str(code)))",
                isFatal: fatalError != nil))
        }
    }

    private func partitionText(_ partition: Int32) -> String {
        partition == RD_KAFKA_PARTITION_UA ? "any" : String(partition)
    }
}
