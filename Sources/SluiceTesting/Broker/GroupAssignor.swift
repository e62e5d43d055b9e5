import Sluice

/// The assignment a ``MemoryConsumerGroup`` aims at, in the manner of Kafka's cooperative-sticky
/// assignor: as even as the member count allows, and each member keeps as many of the splits it
/// owns as its share lets it, so a rebalance moves as few splits as it can.
enum GroupAssignor {
    /// For every split, the member meant to own it; `members` in join order, `current` what
    /// each owns now (splits being revoked left out).
    static func assign(_ splits: [Split], to members: [String], current: [String: [Split]]) -> [Split: String] {
        guard !members.isEmpty else { return [:] }
        // By partition first, so a member's share spans the topics' same partitions and a move
        // takes an input partition together with the repartition partition of the same number.
        let order: (Split, Split) -> Bool = { ($0.partition, $0.topic) < ($1.partition, $1.topic) }
        let all = splits.sorted(by: order)
        let valid = Set(all)
        let base = all.count / members.count
        let extra = all.count % members.count
        // The members owning most keep the larger shares.
        let byHoldings = members.indices.sorted { a, b in
            let (ownedA, ownedB) = (current[members[a]]?.count ?? 0, current[members[b]]?.count ?? 0)
            return ownedA != ownedB ? ownedA > ownedB : a < b
        }
        var room = Array(repeating: base, count: members.count)
        for index in byHoldings.prefix(extra) { room[index] += 1 }
        var target: [Split: String] = [:]
        for (index, member) in members.enumerated() {
            for split in (current[member] ?? []).filter(valid.contains).sorted(by: order).prefix(room[index]) {
                target[split] = member
                room[index] -= 1
            }
        }
        var next = 0
        for split in all where target[split] == nil {
            while room[next % members.count] == 0 { next += 1 }
            target[split] = members[next % members.count]
            room[next % members.count] -= 1
            next += 1
        }
        return target
    }
}
