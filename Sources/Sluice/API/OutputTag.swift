/// Names a side output of a process function or a window's late records, like Flink's
/// `OutputTag`. Tags are equal when their ids are.
public struct OutputTag<Element>: Hashable, Sendable {
    public let id: String

    public init(_ id: String) {
        self.id = id
    }
}
