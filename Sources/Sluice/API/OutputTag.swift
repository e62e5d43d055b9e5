/// Names a side output of a process function or a window's late records, like Flink's
/// `OutputTag`. Tags are equal when their ids are.
public struct OutputTag<Element>: Hashable, Sendable {
    /// The tag's name; it identifies the side output inside the job.
    public let id: String

    /// A tag named `id`; use one element type per id within a job.
    public init(_ id: String) {
        self.id = id
    }
}
