import Foundation

/// Times on the command line: ISO-8601 with a zone (`2026-11-25T10:00:00Z`,
/// `2026-11-25T11:00:00.250+01:00`), as milliseconds since the epoch.
enum ISO8601Time {
    /// The time `text` names, or `nil` when it is not an ISO-8601 date and time with a zone.
    static func milliseconds(_ text: String) -> Int64? {
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime], [.withInternetDateTime, .withFractionalSeconds]] {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = options
            if let date = formatter.date(from: text) {
                return Int64((date.timeIntervalSince1970 * 1000).rounded())
            }
        }
        return nil
    }

    /// `milliseconds` as ISO-8601 UTC with milliseconds.
    static func text(_ milliseconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }
}
