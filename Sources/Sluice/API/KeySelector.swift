/// A named key for `DataStream.keyBy(_:)`: a key computed by a closure that the planner can
/// still recognise, where a key path does not fit or a readable name is wanted.
///
/// The selector *instance* is the key's identity: a stream partitioned by one selector is
/// partitioned by that selector alone, so declare each selector once and reuse it where the
/// same key is meant:
///
/// ```swift
/// let word = KeySelector<String, String>("word") { $0 }
///
/// env.fromSource(source, deserializer: UTF8StringCodec(), partitionedBy: word)
///     .keyBy(word)        // no exchange: the input is partitioned by this very selector
/// ```
///
/// Two selectors with the same name are different keys (a `keyBy` on the second repartitions);
/// the name is for people: plans and error messages show it.
public final class KeySelector<Element, Key: Hashable>: Sendable {
    /// The key's name, shown in plans (`=> stage 1 via … by word`) and error messages.
    public let name: String
    let select: @Sendable (Element) throws -> Key

    /// A key named `name`, computed from each element by `select`.
    public init(_ name: String, _ select: @escaping @Sendable (Element) throws -> Key) {
        self.name = name
        self.select = select
    }
}
