import Foundation

/// A small blocking Kafka-protocol client over plain TCP (PLAINTEXT only): metadata from the
/// bootstrap brokers, then each partition read from its leader.
///
/// Every broker it talks to is first asked for its ApiVersions, and a broker that does not
/// support the versions this client sends (ApiVersions v0, Metadata v4, ListOffsets v1,
/// Fetch v4) is an error naming the broker and the request.
public final class KafkaLogClient {
    /// The bootstrap list as given, for messages.
    public let bootstrap: String
    private let addresses: [BrokerAddress]
    private let timeout: Double
    private let clientID: String
    private var connections: [BrokerAddress: BrokerConnection] = [:]
    private var brokers: [Int32: BrokerAddress] = [:]

    /// A partition of a topic and the node id of its leader.
    public struct PartitionLeader: Sendable, Equatable {
        /// The partition.
        public var partition: Int32
        /// The leader's node id.
        public var leader: Int32
    }

    /// One Fetch answer for a partition: its batches and the broker's offsets.
    public struct FetchAnswer: Sendable {
        /// The whole batches fetched (a partial last batch is left out).
        public var batches: [RecordBatch]
        /// Whether the answer held bytes beyond its whole batches: a batch larger than the
        /// byte limit.
        public var endsInPartialBatch: Bool
        /// The partition's high watermark.
        public var highWatermark: Int64
        /// The broker's last stable offset (not used by the audit: Tansu's is not KIP-98's).
        public var lastStableOffset: Int64
    }

    /// A client for the brokers of a comma-separated `host:port` list; connects lazily.
    ///
    /// - Parameters:
    ///   - bootstrap: the bootstrap brokers.
    ///   - timeout: seconds for each connection and each request.
    ///   - clientID: the client id sent with each request.
    /// - Throws: ``KafkaLogError/unreachable(bootstrap:reason:)`` when `bootstrap` is not a
    ///   `host:port` list.
    public init(bootstrap: String, timeout: Double = 10, clientID: String = "sluice-audit") throws {
        guard let addresses = BrokerAddress.list(bootstrap) else {
            throw KafkaLogError.unreachable(bootstrap: bootstrap, reason: "not a comma-separated host:port list")
        }
        self.bootstrap = bootstrap
        self.addresses = addresses
        self.timeout = timeout
        self.clientID = clientID
    }

    /// The topic's partitions and their leaders, from the first bootstrap broker that answers.
    ///
    /// - Throws: ``KafkaLogError/unknownTopic(topic:bootstrap:)``,
    ///   ``KafkaLogError/unreachable(bootstrap:reason:)`` when no bootstrap broker answers.
    public func partitions(of topic: String) throws -> [PartitionLeader] {
        let deadline = ContinuousClock.now + .milliseconds(Int64(timeout * 1000))
        while true {
            do {
                return try currentPartitions(of: topic)
            } catch KafkaLogError.brokerError(_, "Metadata", _, _, let code) where KafkaErrorCode.isRetriable(code) && ContinuousClock.now < deadline {
                // A leader being elected (a new topic, a broker restarting): ask again shortly.
                usleep(200_000)
            }
        }
    }

    private func currentPartitions(of topic: String) throws -> [PartitionLeader] {
        var failures: [String] = []
        for address in addresses {
            let body: [UInt8]
            do {
                body = try request(.metadata, to: address, body: MetadataRequest.body(topic: topic))
            } catch let error as KafkaLogError {
                if case .brokerUnreachable(_, let reason) = error {
                    failures.append(addresses.count > 1 ? "\(address): \(reason)" : reason)
                    continue
                }
                throw error
            }
            let answer = try decoding(.metadata, from: address) { try MetadataRequest.decode(body, topic: topic) }
            brokers.merge(answer.brokers) { _, new in new }
            switch answer.topicError {
            case 0: break
            case KafkaErrorCode.unknownTopicOrPartition: throw KafkaLogError.unknownTopic(topic: topic, bootstrap: bootstrap)
            case let code: throw KafkaLogError.brokerError(address: "\(address)", request: "Metadata", topic: topic, partition: nil, code: code)
            }
            if answer.partitions.isEmpty { throw KafkaLogError.unknownTopic(topic: topic, bootstrap: bootstrap) }
            for partition in answer.partitions where partition.errorCode != 0 || partition.leader < 0 {
                throw KafkaLogError.brokerError(
                    address: "\(address)", request: "Metadata", topic: topic, partition: partition.id,
                    code: partition.errorCode != 0 ? partition.errorCode : KafkaErrorCode.leaderNotAvailable)
            }
            return answer.partitions.map { PartitionLeader(partition: $0.id, leader: $0.leader) }
        }
        throw KafkaLogError.unreachable(bootstrap: bootstrap, reason: failures.joined(separator: "; "))
    }

    /// The earliest or latest offset of a partition, from its leader.
    func offset(_ position: ListOffsetsRequest.Position, topic: String, partition: PartitionLeader) throws -> Int64 {
        let address = try leaderAddress(partition, topic: topic)
        let body = try request(.listOffsets, to: address, body: ListOffsetsRequest.body(topic: topic, partition: partition.partition, position: position))
        let answer = try decoding(.listOffsets, from: address) { try ListOffsetsRequest.decode(body, partition: partition.partition) }
        guard let answer else {
            throw KafkaLogError.malformedResponse(address: "\(address)", request: "ListOffsets", reason: "no answer for partition \(partition.partition)")
        }
        guard answer.errorCode == 0 else {
            throw KafkaLogError.brokerError(address: "\(address)", request: "ListOffsets", topic: topic, partition: partition.partition, code: answer.errorCode)
        }
        return answer.offset
    }

    /// The earliest offset of a partition, from its leader.
    public func earliestOffset(topic: String, partition: PartitionLeader) throws -> Int64 {
        try offset(.earliest, topic: topic, partition: partition)
    }

    /// The latest offset of a partition (the offset the next record gets), from its leader.
    public func latestOffset(topic: String, partition: PartitionLeader) throws -> Int64 {
        try offset(.latest, topic: topic, partition: partition)
    }

    /// One Fetch v4 at read_uncommitted from `offset`, from the partition's leader.
    ///
    /// - Returns: `nil` when the broker answers OFFSET_OUT_OF_RANGE.
    /// - Throws: ``KafkaLogError``, among them
    ///   ``KafkaLogError/corruptBatch(topic:partition:offset:reason:)``.
    public func fetch(topic: String, partition: PartitionLeader, offset: Int64, maxBytes: Int32) throws -> FetchAnswer? {
        let address = try leaderAddress(partition, topic: topic)
        let body = try request(.fetch, to: address, body: FetchRequest.body(topic: topic, partition: partition.partition, offset: offset, maxBytes: maxBytes))
        let answer = try decoding(.fetch, from: address) { try FetchRequest.decode(body, partition: partition.partition) }
        guard let answer else {
            throw KafkaLogError.malformedResponse(address: "\(address)", request: "Fetch", reason: "no answer for partition \(partition.partition)")
        }
        if answer.errorCode == KafkaErrorCode.offsetOutOfRange { return nil }
        guard answer.errorCode == 0 else {
            throw KafkaLogError.brokerError(address: "\(address)", request: "Fetch", topic: topic, partition: partition.partition, code: answer.errorCode)
        }
        let read = try RecordBatchParser.read(answer.records, topic: topic, partition: partition.partition)
        return FetchAnswer(
            batches: read.batches, endsInPartialBatch: read.partialBytes > 0, highWatermark: answer.highWatermark,
            lastStableOffset: answer.lastStableOffset)
    }

    private func leaderAddress(_ partition: PartitionLeader, topic: String) throws -> BrokerAddress {
        guard let address = brokers[partition.leader] else {
            throw KafkaLogError.malformedResponse(
                address: bootstrap, request: "Metadata",
                reason: "topic \(topic) partition \(partition.partition) has leader \(partition.leader), which is not among its brokers")
        }
        return address
    }

    private func decoding<T>(_ key: ApiKey, from address: BrokerAddress, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as KafkaLogError {
            throw error
        } catch {
            throw KafkaLogError.malformedResponse(address: "\(address)", request: "\(key)", reason: "\(error)")
        }
    }

    /// Sends a request over the broker's connection, opening it (and checking its versions)
    /// first. A connection that failed is dropped, so the next request opens a new one.
    private func request(_ key: ApiKey, to address: BrokerAddress, body: [UInt8]) throws -> [UInt8] {
        let connection = try self.connection(to: address)
        do {
            return try connection.roundTrip(apiKey: key.rawValue, version: key.version, body: body)
        } catch let failure as BrokerConnection.Failure {
            connections[address] = nil
            throw KafkaLogError.brokerUnreachable(address: "\(address)", reason: "\(key): \(failure)")
        } catch {
            connections[address] = nil
            throw KafkaLogError.malformedResponse(address: "\(address)", request: "\(key)", reason: "\(error)")
        }
    }

    private func connection(to address: BrokerAddress) throws -> BrokerConnection {
        if let open = connections[address] { return open }
        let connection: BrokerConnection
        let body: [UInt8]
        do {
            connection = try BrokerConnection(to: address, timeout: timeout, clientID: clientID)
            body = try connection.roundTrip(apiKey: ApiKey.apiVersions.rawValue, version: ApiKey.apiVersions.version, body: ApiVersionsRequest.body)
        } catch let failure as BrokerConnection.Failure {
            throw KafkaLogError.brokerUnreachable(address: "\(address)", reason: "\(failure)")
        } catch {
            throw KafkaLogError.malformedResponse(address: "\(address)", request: "ApiVersions", reason: "\(error)")
        }
        let versions = try decoding(.apiVersions, from: address) { try ApiVersionsRequest.decode(body) }
        guard versions.errorCode == 0 else {
            throw KafkaLogError.requestRefused(address: "\(address)", request: "ApiVersions v\(ApiKey.apiVersions.version)", code: versions.errorCode)
        }
        for key in ApiKey.allCases {
            let supported = versions.ranges[key.rawValue]
            guard let supported, supported.contains(key.version) else {
                throw KafkaLogError.unsupportedVersion(address: "\(address)", request: "\(key)", version: key.version, supported: supported)
            }
        }
        connections[address] = connection
        return connection
    }
}
