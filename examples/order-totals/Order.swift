/// An order as the input topic holds it: `{"order":"o-17","customer":"c42","amount":12.5,"ts":1700000000000}`,
/// `ts` its event time in milliseconds since the epoch.
struct Order: Codable, Sendable {
    var order: String
    var customer: String
    var amount: Double
    var ts: Int64
}
