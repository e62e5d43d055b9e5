import Synchronization

/// Records the sinks of one worker accepted, counted from every task thread at once, for the
/// worker's status line.
final class RecordCounter: Sendable {
    private let value = Atomic<Int>(0)

    /// Adds `count` records.
    func add(_ count: Int) {
        value.add(count, ordering: .relaxed)
    }

    /// Records counted so far.
    var count: Int { value.load(ordering: .relaxed) }
}
