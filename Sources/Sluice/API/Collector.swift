/// Receives a function's results. Each result gets the event timestamp of what produced it:
/// the input element's, or the firing timer's or window's.
public final class Collector<Element> {
    var batch = StreamBatch<Element>()
    var timestamp: Int64 = 0
    var origin = RecordOrigin.unknown

    init() {}

    /// Emits `element` downstream.
    public func collect(_ element: Element) {
        batch.append(element, timestamp: timestamp, origin: origin)
    }

    /// Hands what was collected to `next` and starts over.
    func flush(to next: Node<Element>) throws {
        guard !batch.isEmpty else { return }
        let output = batch
        batch = StreamBatch()
        try next.push(output)
    }
}
