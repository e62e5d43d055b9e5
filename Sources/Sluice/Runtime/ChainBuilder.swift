/// Instantiates the operators of one task, starting from its head and following consumers
/// until the stage ends at sinks or exchange senders.
final class ChainBuilder {
    let graph: LogicalGraph
    let context: TaskContext
    private let exchanges: [Int: ExchangeEndpoint]
    private var built: [Int: AnyObject] = [:]

    init(graph: LogicalGraph, context: TaskContext, exchanges: [Int: ExchangeEndpoint]) {
        self.graph = graph
        self.context = context
        self.exchanges = exchanges
    }

    /// The operator that receives node `id`'s main output.
    func output<Element>(of id: Int, _: Element.Type) throws -> Node<Element> {
        let consumers = try graph.nodes[id].consumers.filter { $0.tag == nil }.map { consumer in
            guard let node = try input(of: consumer.node) as? Node<Element> else {
                preconditionFailure("operator '\(graph.nodes[consumer.node].name)' expects another input type")
            }
            return node
        }
        switch consumers.count {
        case 0: return DiscardNode()
        case 1: return consumers[0]
        default: return FanOutNode(consumers: consumers)
        }
    }

    /// Connects every side-output stream read from node `id` to `sideOutputs`.
    func connectSideOutputs(of id: Int, to sideOutputs: SideOutputs) throws {
        for consumer in graph.nodes[id].consumers where consumer.tag != nil {
            try graph.nodes[consumer.node].connectSide?(self, consumer.node, sideOutputs)
        }
    }

    /// The operator instance of node `id` for this task, built once.
    private func input(of id: Int) throws -> AnyObject {
        if let node = built[id] { return node }
        let logical = graph.nodes[id]
        let node: AnyObject
        if case .exchange(let binding) = logical.kind {
            guard let exchange = exchanges[id] else { preconditionFailure("exchange \(id) was not created") }
            node = try binding.makeSender(endpoint: exchange, context: context)
        } else {
            guard let instantiate = logical.instantiate else { preconditionFailure("'\(logical.name)' has no operator") }
            node = try instantiate(self, id)
        }
        built[id] = node
        return node
    }
}
