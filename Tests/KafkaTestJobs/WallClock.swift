import Foundation

/// The machine's clock, which a test and its worker processes share: workers stamp what they
/// print with it, the test compares those stamps with its own.
public enum WallClock {
    /// Milliseconds since the epoch.
    public static func unixMillis() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded())
    }
}
