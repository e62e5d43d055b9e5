import Synchronization

/// Keeps committed positions in memory: the commit point of local runs and tests.
///
/// It also records every commit in order, so a test can check that no committed position ever
/// passed a record the job had not handled.
public final class LocalCommitPoint: CommitPoint, Sendable {
    private let state = Mutex<(positions: [Split: Int64], history: [Commit])>(([:], []))

    /// A commit point with nothing committed yet.
    public init() {}

    /// Keeps, per split, the highest position seen, and appends `commit` to ``history``.
    public func commit(_ commit: Commit) throws {
        state.withLock { state in
            for (split, position) in commit.positions {
                state.positions[split] = max(state.positions[split] ?? .min, position)
            }
            state.history.append(commit)
        }
    }

    /// Reads the positions from memory; nothing survives the process.
    public func committedPositions(for splits: [Split]) throws -> [Split: Int64] {
        state.withLock { state in state.positions.filter { splits.contains($0.key) } }
    }

    /// Every position committed so far, per split.
    public var positions: [Split: Int64] { state.withLock { $0.positions } }

    /// Every commit, oldest first.
    public var history: [Commit] { state.withLock { $0.history } }
}
