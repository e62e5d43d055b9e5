/// Sees all of a window's elements at once when it fires, like Flink's
/// `ProcessWindowFunction`. The window buffers every element until then.
public protocol ProcessWindowFunction<Key, Input, Output>: Sendable {
    associatedtype Key: Hashable
    associatedtype Input
    associatedtype Output

    /// Emits the results for `key`'s window `context.window`; `elements` are in arrival order.
    func process(_ key: Key, context: WindowContext, elements: [Input], out: Collector<Output>) throws
}

/// The window being fired and the time.
public struct WindowContext: Sendable {
    /// The window that fires.
    public let window: TimeWindow
    /// The operator's watermark when the window fires, in milliseconds.
    public let currentWatermark: Int64
    /// The processing time of the current round, in milliseconds since the Unix epoch.
    public let currentProcessingTime: Int64
}
