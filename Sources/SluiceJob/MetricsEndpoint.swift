import CoreMetrics
import Prometheus

/// The job command's metrics: swift-metrics bootstrapped with a Prometheus registry, whose
/// text exposition ``MetricsServer`` serves at `/metrics`. Started by `run --metrics-port`.
final class MetricsEndpoint: Sendable {
    /// The registry every metric of the process is kept in.
    let registry: PrometheusCollectorRegistry
    private let server: MetricsServer

    /// Makes the registry and serves it on `host:port`; ``bootstrap()`` makes it the process's
    /// metrics backend.
    init(host: String, port: Int) throws {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        server = try MetricsServer(host: host, port: port) { Self.exposition(of: registry) }
    }

    /// Where to scrape.
    var url: String { server.url }

    /// The Prometheus factory over ``registry``, with timer buckets for what Sluice times
    /// (commits and pauses of milliseconds to a minute).
    var factory: PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = Self.durationBuckets
        return factory
    }

    /// Makes ``factory`` swift-metrics' global backend; once per process.
    func bootstrap() {
        MetricsSystem.bootstrap(factory)
    }

    /// Stops serving.
    func stop() {
        server.stop()
    }

    /// Histogram buckets of every timer: 1 ms to 60 s.
    static let durationBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30),
        .seconds(60),
    ]

    /// The text exposition of `registry`.
    static func exposition(of registry: PrometheusCollectorRegistry) -> String {
        registry.emitToString()
    }
}
