import Foundation
import Logging
import RdKafka
import Sluice
import SluiceKafka

/// Sums orders and their amounts without keeping the orders.
struct OrderTotals: AggregateFunction {
    struct Accumulator: Codable, Sendable {
        var orders = 0
        var cents = 0
    }
    func createAccumulator() -> Accumulator { Accumulator() }
    func add(_ value: DemoOrder, to accumulator: inout Accumulator) {
        accumulator.orders += 1
        accumulator.cents += value.cents
    }
    func result(_ accumulator: Accumulator) -> Accumulator { accumulator }
    func merge(_ first: Accumulator, _ second: Accumulator) -> Accumulator {
        Accumulator(orders: first.orders + second.orders, cents: first.cents + second.cents)
    }
}

/// The demo's job: orders (keyed by order number) → keyBy customer, through the job's
/// repartition topic → 10-second tumbling event-time windows → each customer's order count and
/// total per window → `customer-totals`, exactly once.
enum DemoJob {
    static let name = "sluice-demo"
    static let input = "orders"
    static let output = "customer-totals"
    static let partitions = 4

    static func build(kafka: KafkaRuntime, configuration: JobConfiguration) throws -> StreamEnvironment {
        let env = StreamEnvironment(jobName: name, runtime: kafka, configuration: configuration)
        env.fromSource(
            try kafka.source(topics: [input]), deserializer: JSONCodec<DemoOrder>(),
            watermarks: .forBoundedOutOfOrderness(.seconds(1)))
            .keyBy(\.customer)
            .window(TumblingEventTimeWindows.of(seconds: 10))
            .aggregate(OrderTotals()) { customer, window, totals in
                CustomerTotal(customer: customer, windowStart: window.start, orders: totals.orders, cents: totals.cents)
            }
            .sink(to: kafka.sink(topic: output)) { total in
                SinkRecord(key: Array(total.customer.utf8), value: try JSONCodec<CustomerTotal>().serialize(total))
            }
        return env
    }

    /// The job's plan against `bootstrap`, or against librdkafka's in-process mock cluster
    /// holding the job's input and output topics.
    static func plan(bootstrap: String? = nil) throws -> JobPlan {
        var cluster: MockCluster?
        let servers: String
        if let bootstrap {
            servers = bootstrap
        } else {
            let mock = try MockCluster(brokers: 1)
            try mock.createTopic(input, partitions: Int32(partitions))
            try mock.createTopic(output, partitions: Int32(partitions))
            servers = mock.bootstrapServers
            cluster = mock
        }
        defer { withExtendedLifetime(cluster) {} }
        return try planned(servers: servers)
    }

    /// Plans the job; its runtime's clients close when this returns, before any mock cluster.
    private static func planned(servers: String) throws -> JobPlan {
        // Planning only reads metadata; librdkafka's lines about connections are not the plan.
        var logger = Logger(label: "sluice.plan")
        logger.logLevel = .critical
        let kafka = try KafkaRuntime(bootstrapServers: servers, workerID: "plan", logger: logger)
        return try build(kafka: kafka, configuration: JobConfiguration()).plan()
    }

    /// The topics the job creates for itself (repartition and checkpoint topics), with their
    /// partition counts: the demo makes them on brokers that cannot create topics (the mocks).
    static func internalTopics() throws -> [(String, Int)] {
        let plan = try plan()
        let repartition = plan.exchanges.compactMap { exchange -> (String, Int)? in
            if case .repartitionTopic(let topic) = exchange.kind { (topic, exchange.partitionCount) } else { nil }
        }
        return repartition + plan.checkpointTopics.map { ($0.name, $0.partitionCount) }
    }
}
