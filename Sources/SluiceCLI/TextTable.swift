import Foundation

/// Left-aligned columns separated by two spaces, sized to their widest cell, for terminal
/// output that stays readable without a terminal library.
struct TextTable {
    private var rows: [[String]]

    /// A table with a header row.
    init(header: [String]) {
        rows = [header]
    }

    /// Appends a row; cells beyond the header's count are kept, missing ones are blank.
    mutating func append(_ row: [String]) {
        rows.append(row)
    }

    /// The table, one line per row, without trailing spaces.
    var rendered: String {
        let columns = rows.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        return rows.map { row in
            var line = ""
            for (index, cell) in row.enumerated() {
                line += index == row.count - 1 ? cell : cell.padding(toLength: widths[index] + 2, withPad: " ", startingAt: 0)
            }
            return line
        }.joined(separator: "\n")
    }
}
