/// One customer's orders in one window, as the output topic holds it (JSON, keyed by customer):
/// `{"customer":"c42","windowStart":…,"windowEnd":…,"total":37.5,"count":3}`.
struct CustomerTotal: Codable, Sendable {
    var customer: String
    /// The window's first millisecond.
    var windowStart: Int64
    /// The first millisecond after the window.
    var windowEnd: Int64
    /// The sum of the window's order amounts.
    var total: Double
    /// How many orders.
    var count: Int
}
