/// One repartition topic of a running job: where its exchange's senders write and how many
/// upstream tasks its downstream tasks wait for.
final class RepartitionTopic: Sendable {
    let name: String
    let partitionCount: Int
    /// Tasks of the upstream stage, each of which sends its own watermark.
    let upstreamCount: Int
    let transport: any DistributedExchangeTransport

    init(name: String, partitionCount: Int, upstreamCount: Int, transport: any DistributedExchangeTransport) {
        self.name = name
        self.partitionCount = partitionCount
        self.upstreamCount = upstreamCount
        self.transport = transport
    }

    /// A watermark control record for `partition`; see ``RepartitionControl``.
    func controlRecord(partition: Int32, watermark: Int64, idle: Bool, upstream: Int) -> ExchangeRecord {
        ExchangeRecord(partition: partition, key: nil, value: [], timestamp: nil, headers: [
            RecordHeader(key: RepartitionControl.kind, string: "watermark"),
            RecordHeader(key: RepartitionControl.watermark, string: String(watermark)),
            RecordHeader(key: RepartitionControl.upstream, string: String(upstream)),
            RecordHeader(key: RepartitionControl.idle, string: idle ? "1" : "0"),
        ])
    }
}

/// The tail of a task before a repartition topic: serializes each element and its key, places
/// it by murmur2 of the key bytes, and writes the task's watermark to every partition.
final class RepartitionSendNode<Element, Key>: Node<Element> {
    private let topic: RepartitionTopic
    private let upstream: Int
    private let operatorName: String
    private let keySelector: @Sendable (Element) throws -> Key
    private let keyCodec: any Codec<Key>
    private let elementCodec: any Codec<Element>
    private let failures: FailureHandler
    private var records: [ExchangeRecord] = []
    private var lastWatermark: Int64 = .min
    private var lastIdle = false

    init(topic: RepartitionTopic, upstream: Int, operatorName: String, keySelector: @escaping @Sendable (Element) throws -> Key,
         keyCodec: any Codec<Key>, elementCodec: any Codec<Element>, failures: FailureHandler) {
        self.topic = topic
        self.upstream = upstream
        self.operatorName = operatorName
        self.keySelector = keySelector
        self.keyCodec = keyCodec
        self.elementCodec = elementCodec
        self.failures = failures
    }

    override func push(_ batch: StreamBatch<Element>) throws {
        records.removeAll(keepingCapacity: true)
        records.reserveCapacity(batch.count)
        let partitions = topic.partitionCount
        for index in 0..<batch.count {
            let value = batch.values[index]
            do {
                let key = try keyCodec.serialize(try keySelector(value))
                records.append(ExchangeRecord(
                    partition: Int32(Murmur2.partition(key: key, partitionCount: partitions)), key: key,
                    value: try elementCodec.serialize(value), timestamp: batch.timestamps[index]))
            } catch {
                try failures.handle(error, origin: batch.origins[index], operatorName: operatorName)
            }
        }
        if !records.isEmpty { try write() }
    }

    /// Called once per round; writes only when the watermark moved or idleness changed, so an
    /// idle job does not flood the topic with repeated control records.
    override func onWatermark(_ watermark: Int64, idle: Bool) throws {
        guard watermark > lastWatermark || idle != lastIdle else { return }
        lastWatermark = max(lastWatermark, watermark)
        lastIdle = idle
        records.removeAll(keepingCapacity: true)
        for partition in 0..<topic.partitionCount {
            records.append(topic.controlRecord(
                partition: Int32(partition), watermark: lastWatermark, idle: idle, upstream: upstream))
        }
        try write()
    }

    override func onProcessingTime(_ now: Int64) {}

    private func write() throws {
        do {
            try topic.transport.write(records, to: topic.name)
        } catch {
            throw JobError.connectorFailed("writing to repartition topic \(topic.name)", underlying: error)
        }
    }
}

/// The head of a task reading one partition of a repartition topic: deserializes elements
/// (event time = the record's timestamp) and combines the upstream tasks' watermark control
/// records into the task's input watermark.
///
/// The key bytes are not decoded: the keyed operator behind the head derives each element's
/// key with the same selector that produced them, so decoding would only cost time.
final class RepartitionHead<Element>: TaskHead, SplitReceiver {
    typealias Received = SourceRecord

    private let split: Split
    private let topic: RepartitionTopic
    private let codec: any Codec<Element>
    private let failures: FailureHandler
    private let downstream: Node<Element>
    private let slot: ProvenanceRegistry.Slot
    private let provenance: ChunkProvenance<SourceRecord>
    private let sourceTask: Int
    private var pending: SourceBatch<SourceRecord>.Chunk?
    /// Per upstream task, its latest watermark (`nil` until its first control record) and idleness.
    private var upstreamWatermarks: [Int64?]
    private var upstreamIdle: [Bool]
    private var watermark: Int64 = .min
    private(set) var hasEnded = false

    init(split: Split, topic: RepartitionTopic, codec: any Codec<Element>, failures: FailureHandler,
         sourceTask: Int, slot: ProvenanceRegistry.Slot, downstream: Node<Element>) {
        self.split = split
        self.topic = topic
        self.codec = codec
        self.failures = failures
        self.sourceTask = sourceTask
        self.slot = slot
        self.downstream = downstream
        provenance = ChunkProvenance(chunk: SourceBatch<SourceRecord>.Chunk(split: split))
        upstreamWatermarks = Array(repeating: nil, count: topic.upstreamCount)
        upstreamIdle = Array(repeating: false, count: topic.upstreamCount)
    }

    func deliver(_ chunk: SourceBatch<SourceRecord>.Chunk) {
        pending = chunk
    }

    /// Internal topics never end by offsets; ``hasEnded`` follows the final watermarks instead.
    func markEnded() {}

    func runRound(now: Int64) throws {
        try downstream.onProcessingTime(now)
        if let chunk = pending {
            pending = nil
            provenance.chunk = chunk
            slot.provenance = provenance
            var batch = StreamBatch<Element>()
            batch.reserveCapacity(chunk.values.count)
            for index in chunk.values.indices {
                let record = chunk.values[index]
                // Element records carry no headers of their own, which keeps this check cheap.
                if !record.headers.isEmpty, try applyControl(record.headers) { continue }
                let origin = RecordOrigin(sourceTask: sourceTask, index: index)
                do {
                    batch.append(try codec.deserialize(record.value), timestamp: record.timestamp, origin: origin)
                } catch {
                    try failures.handle(error, origin: origin, operatorName: "read \(topic.name)")
                }
            }
            if !batch.isEmpty { try downstream.push(batch) }
        }
        // Until every upstream task has spoken, some may still send older records.
        guard !upstreamWatermarks.contains(nil) else {
            try downstream.onWatermark(watermark, idle: false)
            return
        }
        var minimum: Int64?
        for upstream in upstreamWatermarks.indices where !upstreamIdle[upstream] {
            minimum = min(minimum ?? .max, upstreamWatermarks[upstream]!)
        }
        guard let minimum else {
            try downstream.onWatermark(watermark, idle: true)
            return
        }
        watermark = max(watermark, minimum)
        if watermark == .max { hasEnded = true }
        try downstream.onWatermark(watermark, idle: false)
    }

    /// Applies a watermark control record; returns false for element records.
    private func applyControl(_ headers: [RecordHeader]) throws -> Bool {
        guard headers.contains(where: { $0.key == RepartitionControl.kind }) else { return false }
        func field(_ key: String) -> String? {
            headers.first { $0.key == key }.map { String(decoding: $0.value, as: UTF8.self) }
        }
        guard let upstream = field(RepartitionControl.upstream).flatMap({ Int($0) }),
              let value = field(RepartitionControl.watermark).flatMap({ Int64($0) }) else {
            throw JobError.invalidPlan("malformed watermark control record in \(split)")
        }
        guard upstream >= 0, upstream < upstreamWatermarks.count else {
            throw JobError.invalidPlan(
                "\(split) holds a watermark of upstream task \(upstream), but the plan has \(upstreamWatermarks.count) upstream tasks; the input's partition count changed since the topic was written")
        }
        // A restarted upstream task replays from its committed position; its watermark never
        // moves back.
        upstreamWatermarks[upstream] = max(upstreamWatermarks[upstream] ?? .min, value)
        upstreamIdle[upstream] = field(RepartitionControl.idle) == "1"
        return true
    }
}
