import Sluice

/// One consumer group of a ``MemoryBroker``: its committed offsets, its members and who owns
/// which split, kept in ``BrokerState``.
struct GroupState {
    struct Member {
        /// Join order: the assignor's tie-breaker.
        var number: Int
        var topics: [String]
        /// Changes recorded for the member and not taken yet, oldest first.
        var changes: [MembershipChange] = []
        /// Splits the member was asked to give up and still owns.
        var revoking: Set<Split> = []
        /// Splits taken away when its session expired, until the member let them go; a member
        /// with lost splits counts for nothing until then (it is rejoining).
        var lost: Set<Split> = []
    }

    var offsets: [Split: Int64] = [:]
    var members: [String: Member] = [:]
    var owners: [Split: String] = [:]
    var nextMember = 0
    var generation = 0

    /// Members the assignor gives splits to, in join order.
    var assignable: [String] {
        members.filter { $0.value.lost.isEmpty }.sorted { $0.value.number < $1.value.number }.map(\.key)
    }

    func owned(by member: String) -> [Split] {
        owners.filter { $0.value == member }.map(\.key).sorted()
    }
}

extension BrokerState {
    // MARK: Group membership

    func isCurrentMember(_ member: String, of group: String) -> Bool {
        guard let state = groups[group]?.members[member] else { return false }
        return state.lost.isEmpty
    }

    mutating func join(_ member: String, topics subscribed: [String], group id: String) {
        removeMember(member, group: id, rebalancing: false)
        var group = groups[id, default: GroupState()]
        group.members[member] = GroupState.Member(number: group.nextMember, topics: subscribed)
        group.nextMember += 1
        groups[id] = group
        rebalance(id)
    }

    /// The member is gone (it left, or its process died): its splits go to the others.
    mutating func removeMember(_ member: String, group id: String, rebalancing: Bool = true) {
        guard var group = groups[id], group.members[member] != nil else { return }
        for split in group.owned(by: member) { group.owners[split] = nil }
        group.members[member] = nil
        groups[id] = group
        revision += 1
        if rebalancing { rebalance(id) }
    }

    /// The member's session expired: its splits are taken away at once and given to the
    /// others; it is told it lost them, and rejoins once it let them go.
    mutating func expireSession(of member: String, group id: String) {
        guard var group = groups[id], group.members[member] != nil else { return }
        let owned = group.owned(by: member)
        for split in owned { group.owners[split] = nil }
        group.members[member]!.revoking = []
        if !owned.isEmpty {
            group.members[member]!.lost.formUnion(owned)
            group.members[member]!.changes.append(.lost(owned))
        }
        groups[id] = group
        revision += 1
        rebalance(id)
    }

    /// The member let `splits` go: revoked ones go to their new owner, lost ones complete the
    /// loss (and once none is left, the member rejoins); others wait for the next rebalance.
    mutating func release(_ splits: [Split], by member: String, group id: String) {
        guard var group = groups[id], group.members[member] != nil else { return }
        var rebalancing = false
        for split in splits {
            if group.members[member]!.lost.remove(split) != nil {
                if group.members[member]!.lost.isEmpty { rebalancing = true }
                continue
            }
            guard group.owners[split] == member else { continue }
            group.owners[split] = nil
            if group.members[member]!.revoking.remove(split) != nil { rebalancing = true }
        }
        groups[id] = group
        revision += 1
        if rebalancing { rebalance(id) }
    }

    mutating func takeChanges(for member: String, group id: String) -> [MembershipChange] {
        guard let changes = groups[id]?.members[member]?.changes, !changes.isEmpty else { return [] }
        groups[id]!.members[member]!.changes = []
        return changes
    }

    /// A cooperative rebalance: the assignor's target for every split of the subscribed topics;
    /// free splits go to their target at once, splits another member owns are revoked from it
    /// first and assigned once it let them go.
    mutating func rebalance(_ id: String) {
        guard var group = groups[id] else { return }
        let members = group.assignable
        let subscribed = Set(group.members.values.flatMap(\.topics)).sorted()
        let splits = subscribed.flatMap { topic in
            (0..<(topics[topic]?.partitions.count ?? 0)).map { Split(topic: topic, partition: Int32($0)) }
        }
        var current: [String: [Split]] = [:]
        for (split, owner) in group.owners where group.members[owner]?.revoking.contains(split) == false {
            current[owner, default: []].append(split)
        }
        let target = GroupAssignor.assign(splits, to: members, current: current)
        var revoked: [String: [Split]] = [:]
        var assigned: [String: [Split]] = [:]
        for split in splits.sorted() {
            let wanted = target[split]
            guard let owner = group.owners[split] else {
                if let wanted {
                    group.owners[split] = wanted
                    assigned[wanted, default: []].append(split)
                }
                continue
            }
            guard owner != wanted, group.members[owner]?.revoking.contains(split) == false else { continue }
            group.members[owner]!.revoking.insert(split)
            revoked[owner, default: []].append(split)
        }
        guard !revoked.isEmpty || !assigned.isEmpty else { return }
        for member in members {
            if let splits = revoked[member] { group.members[member]!.changes.append(.revoked(splits)) }
            if let splits = assigned[member] { group.members[member]!.changes.append(.assigned(splits)) }
        }
        group.generation += 1
        groups[id] = group
        revision += 1
    }
}
