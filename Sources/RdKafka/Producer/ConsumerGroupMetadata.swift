import CRdKafka

/// A consumer's group metadata (group id, generation, member id), passed with offsets to
/// ``KafkaProducer/sendOffsetsToTransaction(_:groupMetadata:timeout:)`` so the group
/// coordinator can fence a zombie member (KIP-447).
public final class ConsumerGroupMetadata: @unchecked Sendable {
    let handle: OpaquePointer

    init(handle: OpaquePointer) {
        self.handle = handle
    }

    /// Metadata naming only a group (no generation or member): what a producer uses to
    /// commit offsets for a group it is not a live member of.
    public convenience init(groupID: String) {
        self.init(handle: rd_kafka_consumer_group_metadata_new(groupID))
    }

    deinit {
        rd_kafka_consumer_group_metadata_destroy(handle)
    }
}
