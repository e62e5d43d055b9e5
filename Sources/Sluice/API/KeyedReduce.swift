/// The function behind ``KeyedStream/reduce(_:)``: one running result per key in value state.
public final class KeyedReduce<Key: Hashable, Element>: KeyedProcessFunction {
    /// The name of the value state holding each key's running result.
    public static var stateName: String { "reduce" }

    private let combine: @Sendable (Element, Element) throws -> Element
    private let codec: (any Codec<Element>)?
    private var running: (any ValueState<Element>)?

    init(combine: @escaping @Sendable (Element, Element) throws -> Element, codec: (any Codec<Element>)?) {
        self.combine = combine
        self.codec = codec
    }

    /// Registers the running-result state.
    public func open(_ context: RuntimeContext<Key>) throws {
        running = try context.state(ValueStateDescriptor<Element>(Self.stateName, codec: codec))
    }

    /// Combines `value` with the key's running result, stores and emits the new one. A throwing
    /// `combine` leaves the running result as it was.
    public func processElement(_ value: Element, context: KeyedProcessContext<Key, Element>, out: Collector<Element>) throws {
        guard let running else { preconditionFailure("open(_:) registers the state before any element") }
        let result = try running.value().map { try combine($0, value) } ?? value
        running.update(result)
        out.collect(result)
    }
}
