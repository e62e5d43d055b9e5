// Order totals: JSON orders from a topic, keyed by customer (through the job's repartition
// topic), summed and counted per customer in 10-second tumbling event-time windows (event
// time is the order's `ts`), written as JSON to a topic, exactly once by default.
//
//   order-totals run --bootstrap HOST:PORT [--input orders] [--output order-totals]
//   order-totals run --bootstrap HOST:PORT --from 2026-11-25T10:00:00Z --until end   (a replay)
//
// `scripts/example.sh order-totals` runs it on a Tansu broker, then replays from a time.
import Foundation
import Sluice
import SluiceJob

@main
struct OrderTotals: StreamJob {
    static let name = "order-totals"
    static let abstract = "Per-customer order totals and counts in 10 s tumbling event-time windows, JSON to JSON."

    @Option(help: "The topic of JSON orders. Env: SLUICE_INPUT.")
    var input = "orders"

    @Option(help: "The topic of JSON totals, keyed by customer. Env: SLUICE_OUTPUT.")
    var output = "order-totals"

    func build(_ job: JobContext) throws {
        job.environment.fromSource(
            try job.source(topics: [input]), deserializer: JSONCodec<Order>(),
            watermarks: .forBoundedOutOfOrderness(.seconds(2)).withTimestampAssigner { order, _ in order.ts })
            .keyBy(\.customer)
            .window(TumblingEventTimeWindows.of(seconds: 10))
            .aggregate(TotalAndCount()) { customer, window, sum in
                CustomerTotal(customer: customer, windowStart: window.start, windowEnd: window.end, total: sum.total, count: sum.count)
            }
            .sink(to: job.sink(topic: output)) { total in
                SinkRecord(key: Array(total.customer.utf8), value: Array(try JSONEncoder().encode(total)))
            }
    }
}
