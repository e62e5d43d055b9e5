import CRdKafka

extension RDKafkaClient {
    /// Describes one topic from a metadata request; throws when it does not exist.
    func describeTopic(_ name: String, timeout: Duration) throws -> TopicDescription {
        guard let rkt = rd_kafka_topic_new(handle, name, nil) else {
            throw KafkaError(code: rd_kafka_last_error(), message: "describe topic \(name)")
        }
        defer { rd_kafka_topic_destroy(rkt) }
        return try withMetadata(topic: rkt, timeout: timeout, what: "describe topic \(name)") { metadata in
            for t in 0..<Int(metadata.pointee.topic_cnt) {
                let topic = metadata.pointee.topics[t]
                guard String(cString: topic.topic) == name else { continue }
                try KafkaError.check(topic.err, "describe topic \(name)")
                var partitions: [TopicDescription.Partition] = []
                for p in 0..<Int(topic.partition_cnt) {
                    let part = topic.partitions[p]
                    partitions.append(TopicDescription.Partition(
                        id: part.id, leader: part.leader,
                        replicas: Array(UnsafeBufferPointer(start: part.replicas, count: Int(part.replica_cnt))),
                        inSyncReplicas: Array(UnsafeBufferPointer(start: part.isrs, count: Int(part.isr_cnt)))))
                }
                return TopicDescription(name: name, partitions: partitions.sorted { $0.id < $1.id })
            }
            throw KafkaError(code: RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, message: "describe topic \(name): not in metadata")
        }
    }

    /// Every topic name in the cluster, sorted.
    func listTopics(timeout: Duration) throws -> [String] {
        try withMetadata(topic: nil, timeout: timeout, what: "list topics") { metadata in
            (0..<Int(metadata.pointee.topic_cnt)).map { String(cString: metadata.pointee.topics[$0].topic) }.sorted()
        }
    }

    private func withMetadata<R>(
        topic: OpaquePointer?, timeout: Duration, what: String, _ body: (UnsafePointer<rd_kafka_metadata>) throws -> R
    ) throws -> R {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        try KafkaError.check(
            rd_kafka_metadata(handle, topic == nil ? 1 : 0, topic, &metadata, timeout.timeoutMilliseconds), what)
        guard let metadata else { throw KafkaError.client("\(what): no metadata") }
        defer { rd_kafka_metadata_destroy(metadata) }
        return try body(metadata)
    }
}
