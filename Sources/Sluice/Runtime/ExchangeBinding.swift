/// An exchange point of the logical graph with its element and key types erased.
protocol AnyExchangeBinding: AnyObject {
    var keyName: String? { get }
    /// Why this exchange cannot cross a repartition topic, or `nil` when it can.
    var repartitionProblem: String? { get }
    func makeLocalExchange(upstreamCount: Int, partitionCount: Int) -> any LocalExchange
    /// The sender at the end of an upstream task, registered with the task when it writes
    /// into transactions by itself.
    func makeSender(endpoint: ExchangeEndpoint, context: TaskContext) throws -> AnyObject
    /// The head of the task behind partition `partition` of an in-process exchange.
    func makeHead(exchange: any LocalExchange, partition: Int, builder: ChainBuilder, nodeID: Int) throws -> TaskHead
    /// The head of the task reading `split` of `topic`; it also receives the split's records
    /// from the source that polls the topic.
    func makeRepartitionHead(
        topic: RepartitionTopic, split: Split, sourceTask: Int, slot: ProvenanceRegistry.Slot,
        builder: ChainBuilder, nodeID: Int
    ) throws -> TaskHead
}

/// What a `keyBy` exchange is in a running job: an in-process exchange (local mode) or a
/// repartition topic (distributed mode).
enum ExchangeEndpoint {
    case local(any LocalExchange)
    case repartitionTopic(RepartitionTopic)
}

/// An in-process exchange of some element type, as the runtime holds it before a typed
/// binding takes it back.
protocol LocalExchange: AnyObject {}

extension LocalHashExchange: LocalExchange {}

final class ExchangeBinding<Element, Key: Hashable>: AnyExchangeBinding {
    let keyName: String?
    private let keySelector: @Sendable (Element) throws -> Key
    /// How keys and elements cross a repartition topic; `nil` when the type is not `Codable` and
    /// the user gave no codec. `keyBy` gives `String` keys their UTF-8 bytes and `Codable`
    /// elements ``BinaryCodec``; each task gets its own encoder or decoder of the element codec
    /// (``ExchangeElementCoding``).
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
        keyName.map { "keyBy(\($0))" } ?? "keyBy"
    }

    var repartitionProblem: String? {
        if elementCodec == nil {
            return "\(operatorName) sends \(Element.self) through a repartition topic, which needs Codable elements or a codec; make \(Element.self) Codable, map to a Codable type before keyBy, or pass keyBy an elementCodec"
        }
        if keyCodec == nil {
            return "\(operatorName) partitions a repartition topic by keys of type \(Key.self), which needs a Codable key"
        }
        return nil
    }

    func makeLocalExchange(upstreamCount: Int, partitionCount: Int) -> any LocalExchange {
        LocalHashExchange<Element>(upstreamCount: upstreamCount, partitionCount: partitionCount)
    }

    /// In process, Swift's hash is enough: keys never leave the process, so the partition only
    /// has to be stable for the process's lifetime. Across processes, murmur2 of the key bytes.
    func makeSender(endpoint: ExchangeEndpoint, context: TaskContext) throws -> AnyObject {
        switch endpoint {
        case .repartitionTopic(let topic):
            // The planner rejected distributed exchanges without codecs.
            let sender = RepartitionSendNode(
                topic: topic, upstream: context.taskID.partition, operatorName: operatorName, keySelector: keySelector,
                keyCodec: keyCodec!, elementEncoder: ExchangeElementCoding.encoder(for: elementCodec!), failures: context.failures, lineage: context.lineage)
            context.register(transactional: sender)
            try context.register(commit: sender)
            return sender
        case .local(let exchange):
            return ExchangeSendNode(
                exchange: typed(exchange), upstream: context.taskID.partition, keySelector: keySelector,
                partitioner: { key, partitions in (key.hashValue & Int.max) % partitions }, failures: context.failures)
        }
    }

    func makeHead(exchange: any LocalExchange, partition: Int, builder: ChainBuilder, nodeID: Int) throws -> TaskHead {
        ExchangeHead(exchange: typed(exchange), partition: partition, downstream: try builder.output(of: nodeID, Element.self))
    }

    func makeRepartitionHead(
        topic: RepartitionTopic, split: Split, sourceTask: Int, slot: ProvenanceRegistry.Slot,
        builder: ChainBuilder, nodeID: Int
    ) throws -> TaskHead {
        let head = RepartitionHead(
            split: split, topic: topic, decoder: ExchangeElementCoding.decoder(for: elementCodec!), failures: builder.context.failures,
            sourceTask: sourceTask, slot: slot, nodeID: nodeID, downstream: try builder.output(of: nodeID, Element.self))
        try builder.context.register(head)
        return head
    }

    /// The binding created this exchange for its own element type (``makeLocalExchange(upstreamCount:partitionCount:)``).
    private func typed(_ exchange: any LocalExchange) -> LocalHashExchange<Element> {
        guard let typed = exchange as? LocalHashExchange<Element> else {
            preconditionFailure("exchange of \(type(of: exchange)) handed to a binding of \(Element.self)")
        }
        return typed
    }
}

/// ``BinaryCodec`` for `Value` when it is `Codable`, found at run time because `keyBy` accepts
/// any element type and only distributed runs need the codec: what repartition topics carry.
func binaryCodecIfCodable<Value>(_: Value.Type) -> (any Codec<Value>)? {
    guard let codable = Value.self as? any Codable.Type else { return nil }
    func make<T: Codable>(_: T.Type) -> Any { BinaryCodec<T>() }
    return make(codable) as? any Codec<Value>
}

/// JSON for `Value` when it is `Codable`, found at run time because `keyBy` accepts any
/// element type and only distributed runs need the codec: what state snapshots of
/// `Codable` values use.
func jsonCodecIfCodable<Value>(_: Value.Type) -> (any Codec<Value>)? {
    guard let codable = Value.self as? any Codable.Type else { return nil }
    func make<T: Codable>(_: T.Type) -> Any { JSONCodec<T>() }
    return make(codable) as? any Codec<Value>
}
