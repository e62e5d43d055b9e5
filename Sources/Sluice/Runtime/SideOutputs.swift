/// Buffers of one operator's side outputs, by tag id, flushed after each batch or timer run.
final class SideOutputs {
    private var buffers: [String: AnySideOutput] = [:]

    init() {}

    func connect<Element>(_ tag: OutputTag<Element>, to node: Node<Element>) {
        buffers[tag.id] = SideOutput(node: node)
    }

    func emit<Element>(_ tag: OutputTag<Element>, _ value: Element, timestamp: Int64, origin: RecordOrigin) {
        // A tag nobody reads is dropped, as in Flink.
        guard let buffer = buffers[tag.id] else { return }
        guard let typed = buffer as? SideOutput<Element> else {
            preconditionFailure("side output '\(tag.id)' is used with two element types")
        }
        typed.batch.append(value, timestamp: timestamp, origin: origin)
    }

    func flush() throws {
        for buffer in buffers.values { try buffer.flush() }
    }

    func onWatermark(_ watermark: Int64, idle: Bool) throws {
        for buffer in buffers.values { try buffer.onWatermark(watermark, idle: idle) }
    }

    func onProcessingTime(_ now: Int64) throws {
        for buffer in buffers.values { try buffer.onProcessingTime(now) }
    }
}

private class AnySideOutput {
    func flush() throws { preconditionFailure("abstract") }
    func onWatermark(_ watermark: Int64, idle: Bool) throws { preconditionFailure("abstract") }
    func onProcessingTime(_ now: Int64) throws { preconditionFailure("abstract") }
}

private final class SideOutput<Element>: AnySideOutput {
    let node: Node<Element>
    var batch = StreamBatch<Element>()

    init(node: Node<Element>) {
        self.node = node
    }

    override func flush() throws {
        guard !batch.isEmpty else { return }
        let output = batch
        batch = StreamBatch()
        try node.push(output)
    }

    override func onWatermark(_ watermark: Int64, idle: Bool) throws {
        try node.onWatermark(watermark, idle: idle)
    }

    override func onProcessingTime(_ now: Int64) throws {
        try node.onProcessingTime(now)
    }
}
