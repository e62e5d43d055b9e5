/// A consumer group as its coordinator describes it: its state and its active members.
public struct ConsumerGroupDescription: Sendable, Equatable {
    /// The group's id.
    public var groupID: String
    /// The coordinator's name for the group's state: `Stable`, `PreparingRebalance`,
    /// `CompletingRebalance`, `Empty`, `Dead` or `Unknown`.
    public var state: String
    /// The members that currently belong to the group; empty when no consumer is in it.
    public var members: [ConsumerGroupMember]

    /// A description with every field given.
    public init(groupID: String, state: String, members: [ConsumerGroupMember]) {
        self.groupID = groupID
        self.state = state
        self.members = members
    }

    /// Whether the state is one only a group with members is in: `Stable`,
    /// `PreparingRebalance` or `CompletingRebalance`.
    public var hasActiveState: Bool {
        ["Stable", "PreparingRebalance", "CompletingRebalance"].contains(state)
    }
}

/// One active member of a consumer group.
public struct ConsumerGroupMember: Sendable, Equatable, CustomStringConvertible {
    /// The member id the coordinator gave it.
    public var memberID: String
    /// The `client.id` the member connected with.
    public var clientID: String
    /// The host it connected from, as the coordinator saw it.
    public var host: String
    /// The partitions assigned to it, where the coordinator tells them.
    public var assignment: [TopicPartition]

    /// A member with every field given.
    public init(memberID: String, clientID: String, host: String, assignment: [TopicPartition]) {
        self.memberID = memberID
        self.clientID = clientID
        self.host = host
        self.assignment = assignment
    }

    /// `member <id> (client <client id>, host <host>)`; a client id or host the broker did not
    /// tell reads `unknown`.
    public var description: String {
        "member \(memberID) (client \(clientID.isEmpty ? "unknown" : clientID), host \(host.isEmpty ? "unknown" : host))"
    }
}
