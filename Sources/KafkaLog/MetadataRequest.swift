/// Metadata v4 for one topic: the brokers, and the topic's partitions and their leaders.
enum MetadataRequest {
    /// What the answer says of the cluster and the topic.
    struct Answer {
        var brokers: [Int32: BrokerAddress]
        var topicError: Int16
        var partitions: [Partition]
    }

    struct Partition {
        var id: Int32
        var errorCode: Int16
        var leader: Int32
    }

    static func body(topic: String) -> [UInt8] {
        var writer = RequestWriter()
        writer.array([topic]) { $0.string($1) }
        writer.bool(false)  // allow_auto_topic_creation
        return writer.bytes
    }

    static func decode(_ body: [UInt8], topic: String) throws -> Answer {
        var reader = ByteReader(body)
        _ = try reader.int32()  // throttle time
        var brokers: [Int32: BrokerAddress] = [:]
        for _ in 0..<(try reader.arrayCount()) {
            let node = try reader.int32()
            let host = try reader.string()
            let port = try reader.int32()
            _ = try reader.nullableString()  // rack
            brokers[node] = BrokerAddress(host: host, port: Int(port))
        }
        _ = try reader.nullableString()  // cluster id
        _ = try reader.int32()  // controller id
        var answer = Answer(brokers: brokers, topicError: KafkaErrorCode.unknownTopicOrPartition, partitions: [])
        for _ in 0..<(try reader.arrayCount()) {
            let errorCode = try reader.int16()
            let name = try reader.string()
            _ = try reader.bool()  // is internal
            var partitions: [Partition] = []
            for _ in 0..<(try reader.arrayCount()) {
                let partitionError = try reader.int16()
                let id = try reader.int32()
                let leader = try reader.int32()
                for _ in 0..<(try reader.arrayCount()) { _ = try reader.int32() }  // replicas
                for _ in 0..<(try reader.arrayCount()) { _ = try reader.int32() }  // in-sync replicas
                partitions.append(Partition(id: id, errorCode: partitionError, leader: leader))
            }
            if name == topic {
                answer.topicError = errorCode
                answer.partitions = partitions.sorted { $0.id < $1.id }
            }
        }
        return answer
    }
}
