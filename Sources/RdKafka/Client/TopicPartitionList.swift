import CRdKafka
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Conversions between Swift partition values and `rd_kafka_topic_partition_list_t`.
enum TopicPartitionList {
    /// A new list the caller must destroy.
    static func make(_ partitions: [TopicPartitionOffset]) -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
        let list = rd_kafka_topic_partition_list_new(Int32(partitions.count))!
        for p in partitions {
            let element = rd_kafka_topic_partition_list_add(list, p.topic, p.partition)!
            element.pointee.offset = p.offset
            if let metadata = p.metadata, !metadata.isEmpty {
                // librdkafka frees element metadata with free(), so it must come from malloc.
                let buffer = malloc(metadata.count)!
                metadata.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: metadata.count) }
                element.pointee.metadata = buffer
                element.pointee.metadata_size = metadata.count
            }
        }
        return list
    }

    static func make(_ partitions: [TopicPartition], offset: Int64 = KafkaOffset.invalid) -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
        make(partitions.map { TopicPartitionOffset($0.topic, $0.partition, offset: offset) })
    }

    static func offsets(_ list: UnsafePointer<rd_kafka_topic_partition_list_t>) -> [TopicPartitionOffset] {
        var out: [TopicPartitionOffset] = []
        out.reserveCapacity(Int(list.pointee.cnt))
        for i in 0..<Int(list.pointee.cnt) {
            let e = list.pointee.elems[i]
            var metadata: [UInt8]?
            if let raw = e.metadata, e.metadata_size > 0 {
                metadata = Array(UnsafeRawBufferPointer(start: raw, count: e.metadata_size))
            }
            out.append(TopicPartitionOffset(String(cString: e.topic), e.partition, offset: e.offset, metadata: metadata))
        }
        return out
    }

    static func partitions(_ list: UnsafePointer<rd_kafka_topic_partition_list_t>) -> [TopicPartition] {
        offsets(list).map(\.topicPartition)
    }

    /// Throws the first per-partition error of a list, naming the partition.
    static func checkErrors(_ list: UnsafePointer<rd_kafka_topic_partition_list_t>, _ context: String) throws {
        for i in 0..<Int(list.pointee.cnt) {
            let e = list.pointee.elems[i]
            if e.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                try KafkaError.check(e.err, "\(context) \(String(cString: e.topic))[\(e.partition)]")
            }
        }
    }
}
