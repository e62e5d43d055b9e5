/// How a ``PostgresSink`` writes its rows.
public enum PostgresWriteMode: Sendable, Hashable {
    /// `INSERT`: a row that violates a unique constraint fails the job (with its SQLSTATE), so
    /// under exactly-once a duplicate can never hide.
    case insert
    /// `INSERT … ON CONFLICT (key) DO UPDATE SET` every other column to the new row's value
    /// (`DO NOTHING` when every column is in the key): the last row of a key wins. Replays of
    /// at-least-once runs rewrite the same rows. `key` names the columns of a unique index or
    /// primary key.
    case upsert(key: [String])
}
