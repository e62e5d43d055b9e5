/// One operator instance inside a task's chain. Batches, watermarks and processing-time ticks
/// are pushed into it by its upstream and it pushes its results on to its downstream nodes,
/// all synchronously on the task's thread.
///
/// The chain is built once per task; a batch costs one virtual call per operator, and inside an
/// operator the loop over elements calls only the user's closure.
class Node<Input> {
    /// Processes a batch of elements.
    func push(_ batch: StreamBatch<Input>) throws {
        preconditionFailure("\(Self.self) must override push")
    }

    /// Event time has advanced to `watermark`; `idle` means the input has no active split and
    /// its watermark should not hold back a minimum downstream.
    func onWatermark(_ watermark: Int64, idle: Bool) throws {
        preconditionFailure("\(Self.self) must override onWatermark")
    }

    /// Processing time is now `now`, read once per round.
    func onProcessingTime(_ now: Int64) throws {
        preconditionFailure("\(Self.self) must override onProcessingTime")
    }
}

/// A node with one downstream that does not react to time, so it forwards time as it comes.
class ForwardingNode<Input, Output>: Node<Input> {
    let next: Node<Output>

    init(next: Node<Output>) {
        self.next = next
    }

    override func onWatermark(_ watermark: Int64, idle: Bool) throws {
        try next.onWatermark(watermark, idle: idle)
    }

    override func onProcessingTime(_ now: Int64) throws {
        try next.onProcessingTime(now)
    }
}

/// Where output that nobody consumes ends.
final class DiscardNode<Input>: Node<Input> {
    override func push(_ batch: StreamBatch<Input>) {}

    override func onWatermark(_ watermark: Int64, idle: Bool) {}

    override func onProcessingTime(_ now: Int64) {}
}

/// Hands the same batch to several consumers; arrays are shared, not copied.
final class FanOutNode<Input>: Node<Input> {
    private let consumers: [Node<Input>]

    init(consumers: [Node<Input>]) {
        self.consumers = consumers
    }

    override func push(_ batch: StreamBatch<Input>) throws {
        for consumer in consumers { try consumer.push(batch) }
    }

    override func onWatermark(_ watermark: Int64, idle: Bool) throws {
        for consumer in consumers { try consumer.onWatermark(watermark, idle: idle) }
    }

    override func onProcessingTime(_ now: Int64) throws {
        for consumer in consumers { try consumer.onProcessingTime(now) }
    }
}
