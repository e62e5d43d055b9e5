/// An exchange point of the logical graph with its element and key types erased.
protocol AnyExchangeBinding: AnyObject {
    var keyName: String? { get }
    /// Why this exchange cannot cross a repartition topic, or `nil` when it can.
    var repartitionProblem: String? { get }
    func makeLocalExchange(upstreamCount: Int, partitionCount: Int) -> AnyObject
    /// The sender at the end of an upstream task: into a ``LocalHashExchange`` or a
    /// ``RepartitionTopic``, whichever `exchange` is.
    func makeSender(exchange: AnyObject, upstream: Int, failures: FailureHandler) -> AnyObject
    func makeHead(exchange: AnyObject, partition: Int, builder: ChainBuilder, nodeID: Int) throws -> TaskHead
    /// The head of the task reading `split` of `topic`; it also receives the split's records
    /// from the source that polls the topic.
    func makeRepartitionHead(
        topic: RepartitionTopic, split: Split, sourceTask: Int, slot: ProvenanceRegistry.Slot,
        builder: ChainBuilder, nodeID: Int
    ) throws -> TaskHead
}

final class ExchangeBinding<Element, Key: Hashable>: AnyExchangeBinding {
    let keyName: String?
    private let keySelector: @Sendable (Element) throws -> Key
    /// How keys and elements cross a repartition topic; `nil` when the type is not `Codable`.
    /// `keyBy` gives `String` keys their UTF-8 bytes.
    private let keyCodec: (any Codec<Key>)?
    private let elementCodec: (any Codec<Element>)?

    init(keyName: String?, keySelector: @escaping @Sendable (Element) throws -> Key,
         keyCodec: (any Codec<Key>)?, elementCodec: (any Codec<Element>)?) {
        self.keyName = keyName
        self.keySelector = keySelector
        self.keyCodec = keyCodec
        self.elementCodec = elementCodec
    }

    private var operatorName: String {
        keyName.map { "keyBy(\"\($0)\")" } ?? "keyBy"
    }

    var repartitionProblem: String? {
        if elementCodec == nil {
            return "\(operatorName) sends \(Element.self) through a repartition topic, which needs Codable elements; make \(Element.self) Codable or map to a Codable type before keyBy"
        }
        if keyCodec == nil {
            return "\(operatorName) partitions a repartition topic by keys of type \(Key.self), which needs a Codable key"
        }
        return nil
    }

    func makeLocalExchange(upstreamCount: Int, partitionCount: Int) -> AnyObject {
        LocalHashExchange<Element>(upstreamCount: upstreamCount, partitionCount: partitionCount)
    }

    /// In process, Swift's hash is enough: keys never leave the process, so the partition only
    /// has to be stable for the process's lifetime. Across processes, murmur2 of the key bytes.
    func makeSender(exchange: AnyObject, upstream: Int, failures: FailureHandler) -> AnyObject {
        if let topic = exchange as? RepartitionTopic {
            // The planner rejected distributed exchanges without codecs.
            return RepartitionSendNode(
                topic: topic, upstream: upstream, operatorName: operatorName, keySelector: keySelector,
                keyCodec: keyCodec!, elementCodec: elementCodec!, failures: failures)
        }
        return ExchangeSendNode(
            exchange: exchange as! LocalHashExchange<Element>, upstream: upstream, keySelector: keySelector,
            partitioner: { key, partitions in (key.hashValue & Int.max) % partitions }, failures: failures)
    }

    func makeHead(exchange: AnyObject, partition: Int, builder: ChainBuilder, nodeID: Int) throws -> TaskHead {
        ExchangeHead(
            exchange: exchange as! LocalHashExchange<Element>, partition: partition,
            downstream: try builder.output(of: nodeID, Element.self))
    }

    func makeRepartitionHead(
        topic: RepartitionTopic, split: Split, sourceTask: Int, slot: ProvenanceRegistry.Slot,
        builder: ChainBuilder, nodeID: Int
    ) throws -> TaskHead {
        RepartitionHead(
            split: split, topic: topic, codec: elementCodec!, failures: builder.context.failures,
            sourceTask: sourceTask, slot: slot, downstream: try builder.output(of: nodeID, Element.self))
    }
}

/// JSON for `Value` when it is `Codable`, found at run time because `keyBy` accepts any
/// element type and only distributed runs need the codec.
func jsonCodecIfCodable<Value>(_: Value.Type) -> (any Codec<Value>)? {
    guard let codable = Value.self as? any Codable.Type else { return nil }
    func make<T: Codable>(_: T.Type) -> Any { JSONCodec<T>() }
    return make(codable) as? any Codec<Value>
}
