/// Where a ``MemoryBrokerSource`` ends its splits of the job's input topics (never its
/// internal ones).
public enum MemorySourceEnd: Sendable, Equatable {
    /// Never: a streaming job, running until it is stopped.
    case never
    /// A bounded run: each split ends at the end offset it had when it was assigned, and the
    /// job stops by itself once every split it owns has ended, like a Kafka source's
    /// `latestAtStart` (`--until end`).
    case atEndOffsets
    /// A streaming job (it runs until stopped) whose splits end as a bounded input's would,
    /// once the test ended their topic (``MemoryBroker/endTopic(_:)``) and they were read to
    /// its end: windows and event-time timers then fire with the final watermark. What
    /// ``ExactlyOnceTestDriver`` uses.
    case whenTopicEnds
}
