/// The identity of a key a stream is partitioned by, as the planner compares it: the same key
/// path (which includes its root, the element type) or the same ``KeySelector`` instance.
/// Closure keys have no identity, so a stream is never known to be partitioned by one.
struct PartitionKey: Equatable {
    private enum Identity {
        case keyPath(AnyKeyPath)
        case selector(AnyObject)
    }

    private let identity: Identity
    /// The key as people read it: the key path (`\Order.customer`) or the selector's name.
    let name: String

    init<Element, Key>(_ keyPath: KeyPath<Element, Key>) {
        identity = .keyPath(keyPath)
        // `\Order.customer`; a computed property without the address Swift prints in
        // `\Order.<computed 0x… (String)>`, which changes from run to run.
        name = String(describing: keyPath).replacing(#/<computed 0x[0-9a-fA-F]+ /#, with: "<computed ")
    }

    init<Element, Key>(_ selector: KeySelector<Element, Key>) {
        // Holding the selector keeps its identity from being reused by another object.
        identity = .selector(selector)
        name = selector.name
    }

    static func == (lhs: PartitionKey, rhs: PartitionKey) -> Bool {
        switch (lhs.identity, rhs.identity) {
        case (.keyPath(let left), .keyPath(let right)): left == right
        case (.selector(let left), .selector(let right)): left === right
        default: false
        }
    }
}
