/// How a worker's consumer belongs to the job's consumer group (``ConsumerOptions/membership``).
public enum GroupMembership: String, Sendable, CaseIterable {
    /// A static member (KIP-345), the default: its `group.instance.id` is the worker id. A
    /// worker killed and restarted with the same id takes its partitions back as soon as it
    /// rejoins, without waiting for the session of its previous incarnation to expire, and a
    /// second process with the same id is refused (the broker fences one of the two). A graceful
    /// stop leaves the group at once unless the runtime is told the worker will be back
    /// (``KafkaRuntime/leavesGroupOnStop``).
    case `static`
    /// A dynamic member: the coordinator names it anew each time it joins. A killed worker's
    /// partitions wait for its session to expire, restarted or not.
    case dynamic
}
