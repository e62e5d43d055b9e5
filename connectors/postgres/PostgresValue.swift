import Foundation

/// One column value of a row a ``PostgresSink`` writes, sent to the server as a typed bind
/// parameter (never spliced into the SQL text).
public enum PostgresValue: Sendable, Hashable {
    /// SQL `NULL`.
    case null
    /// `text` (or any column the server casts text to: `varchar`, `citext`, an enum).
    case text(String)
    /// `bigint` (`int8`); the server casts it to a narrower integer column.
    case int64(Int64)
    /// `double precision` (`float8`).
    case double(Double)
    /// `boolean`.
    case bool(Bool)
    /// `bytea`.
    case bytes([UInt8])
    /// `timestamp with time zone`.
    case timestamp(Date)
    /// `uuid`.
    case uuid(UUID)
    /// `numeric`.
    case numeric(Decimal)
    /// `jsonb`: the text of a JSON value.
    case jsonb(String)
}
