/// The job as the API built it: one node per transformation, in creation order, which is also
/// a topological order because a node's inputs always exist before it.
final class LogicalGraph {
    private(set) var nodes: [LogicalNode] = []

    func add(
        name: String, kind: LogicalNode.Kind, inputs: [Int], inputTag: String? = nil,
        instantiate: LogicalNode.Instantiate? = nil, connectSide: LogicalNode.ConnectSide? = nil
    ) -> Int {
        let id = nodes.count
        nodes.append(LogicalNode(
            id: id, name: name, kind: kind, inputs: inputs,
            instantiate: instantiate, connectSide: connectSide))
        for input in inputs {
            nodes[input].consumers.append(.init(node: id, tag: inputTag))
        }
        return id
    }
}

/// One transformation of the logical graph.
final class LogicalNode {
    /// Builds this node's operator for one task, returning it as `Node<Input>`.
    typealias Instantiate = (ChainBuilder, Int) throws -> AnyObject
    /// For side-output streams: connects the producer's side output to this stream's operators.
    typealias ConnectSide = (ChainBuilder, Int, SideOutputs) throws -> Void

    enum Kind {
        case source(AnySourceBinding)
        case exchange(AnyExchangeBinding)
        case sink
        case operation
    }

    struct Consumer {
        var node: Int
        /// The side output the consumer reads, or `nil` for the main output.
        var tag: String?
    }

    let id: Int
    let name: String
    let kind: Kind
    let inputs: [Int]
    let instantiate: Instantiate?
    let connectSide: ConnectSide?
    var consumers: [Consumer] = []

    init(id: Int, name: String, kind: Kind, inputs: [Int],
         instantiate: Instantiate?, connectSide: ConnectSide?) {
        self.id = id
        self.name = name
        self.kind = kind
        self.inputs = inputs
        self.instantiate = instantiate
        self.connectSide = connectSide
    }
}
