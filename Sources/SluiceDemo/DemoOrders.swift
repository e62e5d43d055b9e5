import Foundation

/// The demo's input: an order, JSON on the `orders` topic, keyed by its order number.
struct DemoOrder: Codable, Sendable, Equatable {
    var order: Int
    var customer: String
    var cents: Int

    /// The customer of end markers: a record per input partition whose event time lies far
    /// past every order, so every window of the stream closes. It gets no result of its own
    /// that the demo checks.
    static let endCustomer = "~end"
}

/// The demo's output: one customer's orders in one 10-second window, JSON on `customer-totals`.
struct CustomerTotal: Codable, Sendable, Hashable {
    var customer: String
    var windowStart: Int64
    var orders: Int
    var cents: Int
}

/// The order stream the demo writes, the same every run: order `i` happens at `base + 5 i` ms
/// of event time, so 2,000 orders make ten seconds of event time, one window.
enum DemoOrderStream {
    static let base: Int64 = 1_767_225_600_000
    static let customers = 300
    static let windowMillis: Int64 = 10_000

    static func order(_ i: Int) -> DemoOrder {
        DemoOrder(order: i, customer: "c\((i &* 7_919) % customers)", cents: 100 + Int((UInt64(i) &* 2_654_435_761) % 9_900))
    }

    static func timestamp(_ i: Int) -> Int64 { base + Int64(i) * 5 }

    /// The totals the job must write for orders `0..<count`, computed here without the engine.
    static func expectedTotals(orders count: Int) -> Set<CustomerTotal> {
        struct Key: Hashable { var customer: String; var start: Int64 }
        var totals: [Key: (orders: Int, cents: Int)] = [:]
        for i in 0..<count {
            let order = order(i)
            let time = timestamp(i)
            let key = Key(customer: order.customer, start: time - time % windowMillis)
            totals[key, default: (0, 0)].orders += 1
            totals[key, default: (0, 0)].cents += order.cents
        }
        return Set(totals.map { CustomerTotal(customer: $0.key.customer, windowStart: $0.key.start, orders: $0.value.orders, cents: $0.value.cents) })
    }
}
