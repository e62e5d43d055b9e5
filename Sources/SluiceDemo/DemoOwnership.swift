import Foundation

/// Which worker owns which partition, from the workers' assignment reports, and how long each
/// moved partition had no owner: the pause a rebalance costs the partitions it moves (the
/// others keep running under cooperative rebalancing).
struct DemoOwnership {
    /// A partition that changed owner.
    struct Move {
        var split: String
        var from: String?
        var to: String
        var unowned: Duration
        var at: Duration
    }

    private var owners: [String: String] = [:]
    private var unownedSince: [String: (since: Duration, from: String?)] = [:]
    private(set) var moves: [Move] = []

    /// `worker` now owns exactly `splits`, at `now`. Returns the moves it completes.
    mutating func worker(_ worker: String, owns splits: Set<String>, at now: Duration) -> [Move] {
        for (split, owner) in owners where owner == worker && !splits.contains(split) {
            owners[split] = nil
            unownedSince[split] = (now, worker)
        }
        var completed: [Move] = []
        for split in splits.sorted() where owners[split] != worker {
            owners[split] = worker
            if let gap = unownedSince.removeValue(forKey: split) {
                completed.append(Move(split: split, from: gap.from, to: worker, unowned: now - gap.since, at: now))
            }
        }
        moves += completed
        return completed
    }

    /// `worker` died at `now`: its partitions have no owner from then on.
    mutating func lost(_ worker: String, at now: Duration) {
        for (split, owner) in owners where owner == worker {
            owners[split] = nil
            unownedSince[split] = (now, worker)
        }
    }

    /// How many of `splits` some worker owns.
    func owned(_ topic: String) -> Int {
        owners.keys.filter { $0.hasPrefix(topic + "[") }.count
    }

    func count(of worker: String, topic: String) -> Int {
        owners.filter { $0.value == worker && $0.key.hasPrefix(topic + "[") }.count
    }
}
