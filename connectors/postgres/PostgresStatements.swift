/// The SQL a ``PostgresSink`` sends for its table: identifiers quoted, values always as bind
/// parameters.
struct PostgresStatements: Sendable {
    /// The protocol's limit on bind parameters per statement.
    static let maxParameters = 65_535

    let table: String
    let columns: [String]
    let mode: PostgresWriteMode
    /// Rows per `INSERT`: the sink's batch size, within the parameter limit.
    let rowsPerStatement: Int
    /// Where the conflict key's columns are in a row, for upserts.
    let keyIndices: [Int]
    /// The `INSERT` of a full batch, made once.
    private(set) var fullInsert: String

    init(schema: String?, table: String, columns: [String], mode: PostgresWriteMode, batchRows: Int) throws {
        guard !table.isEmpty else { throw PostgresSinkError.invalidSettings("the table name is empty") }
        guard !columns.isEmpty else { throw PostgresSinkError.invalidSettings("table \(table): no columns given") }
        guard Set(columns).count == columns.count else {
            throw PostgresSinkError.invalidSettings("table \(table): a column is named twice in \(columns)")
        }
        guard batchRows > 0 else { throw PostgresSinkError.invalidSettings("batchRows must be above 0, got \(batchRows)") }
        self.table = schema.map { "\(Self.quote($0)).\(Self.quote(table))" } ?? Self.quote(table)
        self.columns = columns
        self.mode = mode
        rowsPerStatement = min(batchRows, Self.maxParameters / columns.count)
        if case .upsert(let key) = mode {
            guard !key.isEmpty else { throw PostgresSinkError.invalidSettings("table \(table): the upsert key names no column") }
            keyIndices = try key.map { column in
                guard let index = columns.firstIndex(of: column) else {
                    throw PostgresSinkError.invalidSettings("table \(table): the upsert key column \(column) is not among the columns \(columns)")
                }
                return index
            }
        } else {
            keyIndices = []
        }
        fullInsert = ""
        fullInsert = insert(rows: rowsPerStatement)
    }

    /// `INSERT INTO table (columns) VALUES ($1, …), … [ON CONFLICT …]` for `rows` rows.
    func insert(rows: Int) -> String {
        if rows == rowsPerStatement, !fullInsert.isEmpty { return fullInsert }
        let width = columns.count
        var sql = "INSERT INTO \(table) (\(columns.map(Self.quote).joined(separator: ", "))) VALUES "
        sql.reserveCapacity(sql.utf8.count + rows * width * 8)
        for row in 0..<rows {
            if row > 0 { sql += ", " }
            sql += "("
            for column in 0..<width {
                if column > 0 { sql += ", " }
                sql += "$\(row * width + column + 1)"
            }
            sql += ")"
        }
        if case .upsert(let key) = mode {
            let updated = columns.filter { !key.contains($0) }
            sql += " ON CONFLICT (\(key.map(Self.quote).joined(separator: ", "))) DO "
            sql += updated.isEmpty
                ? "NOTHING" : "UPDATE SET " + updated.map { "\(Self.quote($0)) = EXCLUDED.\(Self.quote($0))" }.joined(separator: ", ")
        }
        return sql
    }

    /// `rows` with, for an upsert, only the last row of each key: one statement may not update
    /// a row twice.
    func deduplicated(_ rows: [[PostgresValue]]) -> [[PostgresValue]] {
        guard !keyIndices.isEmpty, rows.count > 1 else { return rows }
        var seen = Set<[PostgresValue]>()
        var kept: [[PostgresValue]] = []
        kept.reserveCapacity(rows.count)
        for row in rows.reversed() where seen.insert(keyIndices.map { row[$0] }).inserted {
            kept.append(row)
        }
        return kept.reversed()
    }

    /// `name` as a quoted SQL identifier.
    static func quote(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `text` as a quoted SQL string literal.
    static func literal(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }
}
