/// An exchange point of the logical graph with its element and key types erased.
protocol AnyExchangeBinding: AnyObject {
    var keyName: String? { get }
    func makeLocalExchange(upstreamCount: Int, partitionCount: Int) -> AnyObject
    func makeSender(exchange: AnyObject, upstream: Int, failures: FailureHandler) -> AnyObject
    func makeHead(exchange: AnyObject, partition: Int, builder: ChainBuilder, nodeID: Int) throws -> TaskHead
}

final class ExchangeBinding<Element, Key: Hashable>: AnyExchangeBinding {
    let keyName: String?
    private let keySelector: @Sendable (Element) throws -> Key

    init(keyName: String?, keySelector: @escaping @Sendable (Element) throws -> Key) {
        self.keyName = keyName
        self.keySelector = keySelector
    }

    func makeLocalExchange(upstreamCount: Int, partitionCount: Int) -> AnyObject {
        LocalHashExchange<Element>(upstreamCount: upstreamCount, partitionCount: partitionCount)
    }

    /// In process, Swift's hash is enough: keys never leave the process, so the partition only
    /// has to be stable for the process's lifetime.
    func makeSender(exchange: AnyObject, upstream: Int, failures: FailureHandler) -> AnyObject {
        ExchangeSendNode(
            exchange: exchange as! LocalHashExchange<Element>, upstream: upstream, keySelector: keySelector,
            partitioner: { key, partitions in (key.hashValue & Int.max) % partitions }, failures: failures)
    }

    func makeHead(exchange: AnyObject, partition: Int, builder: ChainBuilder, nodeID: Int) throws -> TaskHead {
        ExchangeHead(
            exchange: exchange as! LocalHashExchange<Element>, partition: partition,
            downstream: try builder.output(of: nodeID, Element.self))
    }
}
