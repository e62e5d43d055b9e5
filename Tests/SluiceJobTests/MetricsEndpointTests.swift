import Foundation
import RigTestSupport
import Sluice
import XCTest

@testable import SluiceJob

/// The metrics endpoint `run --metrics-port` starts: a job's metrics, made through swift-metrics
/// by the engine, come out of `GET /metrics` as Prometheus text with the names and labels of
/// ``MetricName``, label values escaped; every value compared with what the test computes.
final class MetricsEndpointTests: XCTestCase {
    /// A job name that needs every escape of the text format: quote, backslash, line feed.
    static let jobName = "we\"ird\\job\nname"

    func testLocalJobMetricsAsPrometheusText() throws {
        let endpoint = try MetricsEndpoint(host: "127.0.0.1", port: 0)
        defer { endpoint.stop() }
        var configuration = JobConfiguration()
        configuration.metricsFactory = endpoint.factory
        configuration.badInputPolicy = .skip
        configuration.threads = 1
        configuration.batchSize = 8
        let env = StreamEnvironment(jobName: Self.jobName, configuration: configuration)
        let values = Array(0..<100)
        struct Unlucky: Error {}
        let results = env.fromCollection(values, partitions: 2)
            .map { value -> Int in
                if value % 7 == 0 { throw Unlucky() }
                return value
            }
            .collect()
        let metrics = try env.execute()
        XCTAssertEqual(results.elements.count, values.filter { $0 % 7 != 0 }.count)

        let scrape = try PrometheusScrape.get(port: port(of: endpoint))
        XCTAssertEqual(scrape.status, 200)
        XCTAssertEqual(scrape.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8")
        XCTAssertEqual(scrape.headers["content-length"], String(scrape.body.utf8.count))
        let samples = try scrape.samples

        // Element i is in partition i % 2, read by task 0.<partition> (local mode numbers tasks
        // in split order).
        for partition in 0..<2 {
            let mine = values.filter { $0 % 2 == partition }
            let skipped = mine.filter { $0 % 7 == 0 }.count
            let task = "0.\(partition)"
            let base = ["job": Self.jobName, "worker": "local", "task": task]
            XCTAssertEqual(
                value(samples, MetricName.sourceRecordsIn, base.merging(["topic": "collection-1", "partition": "\(partition)"]) { $1 }),
                Double(mine.count), "records in of \(task)")
            XCTAssertEqual(value(samples, MetricName.recordsSkipped, base), Double(skipped), "skipped by \(task)")
            XCTAssertEqual(value(samples, MetricName.recordsDeadLettered, base), 0, "dead-lettered by \(task)")
            XCTAssertEqual(
                value(samples, MetricName.sinkRecordsOut, base.merging(["sink": results.name]) { $1 }),
                Double(mine.count - skipped), "records out of \(task)")
        }
        let worker = ["job": Self.jobName, "worker": "local"]
        XCTAssertEqual(value(samples, MetricName.commitLatency + "_count", worker), Double(metrics.commits), "one latency per commit")
        XCTAssertGreaterThan(metrics.commits, 0)
        XCTAssertEqual(value(samples, MetricName.checkpoints, worker), 0, "at-least-once takes no checkpoints")
        XCTAssertEqual(value(samples, MetricName.restarts, worker), 0)

        // The raw line, escaped as the text format says: \" \\ \n.
        let escaped = #"job="we\"ird\\job\nname""#
        let line = "\(MetricName.sourceRecordsIn){\(escaped),worker=\"local\",task=\"0.1\",topic=\"collection-1\",partition=\"1\"} 50"
        XCTAssertTrue(scrape.body.split(separator: "\n").contains { $0 == line }, "no line \(line) in\n\(scrape.body)")
        XCTAssertTrue(scrape.body.contains("# TYPE \(MetricName.sourceRecordsIn) counter"), scrape.body)
        XCTAssertTrue(scrape.body.contains("# TYPE \(MetricName.checkpointDuration) histogram"), scrape.body)
    }

    func testOtherPathsAndMethodsAreRefused() throws {
        let endpoint = try MetricsEndpoint(host: "127.0.0.1", port: 0)
        defer { endpoint.stop() }
        let port = try port(of: endpoint)
        XCTAssertEqual(try PrometheusScrape.get(port: port, path: "/").status, 404)
        XCTAssertEqual(try PrometheusScrape.get(port: port, path: "/metricsx").status, 404)
        XCTAssertEqual(try PrometheusScrape.get(port: port, method: "POST").status, 405)
        let empty = try PrometheusScrape.get(port: port)
        XCTAssertEqual(empty.status, 200)
        XCTAssertEqual(empty.body, "", "nothing registered yet")
    }

    func testTakenPortIsOneLine() throws {
        let first = try MetricsEndpoint(host: "127.0.0.1", port: 0)
        defer { first.stop() }
        let port = try port(of: first)
        XCTAssertThrowsError(try MetricsEndpoint(host: "127.0.0.1", port: port)) { error in
            XCTAssertEqual("\(error)", "metrics endpoint: cannot listen on 127.0.0.1:\(port): Address already in use")
        }
    }

    private func port(of endpoint: MetricsEndpoint) throws -> Int {
        let prefix = "http://127.0.0.1:", suffix = "/metrics"
        XCTAssertTrue(endpoint.url.hasPrefix(prefix) && endpoint.url.hasSuffix(suffix), endpoint.url)
        return try XCTUnwrap(Int(endpoint.url.dropFirst(prefix.count).dropLast(suffix.count)))
    }

    /// The one sample named `name` whose labels are exactly `labels`.
    private func value(_ samples: [PrometheusScrape.Sample], _ name: String, _ labels: [String: String],
                       file: StaticString = #filePath, line: UInt = #line) -> Double? {
        let matching = samples.filter { $0.name == name && $0.labels == labels }
        XCTAssertEqual(matching.count, 1, "samples \(name)\(labels)", file: file, line: line)
        return matching.first?.value
    }
}

/// `--metrics-port` and `--metrics-address`, from the command line and the environment.
final class MetricsOptionsTests: XCTestCase {
    func testPortAndAddressParseAndValidate() throws {
        let options = try RunOptions.parse(["--bootstrap", "b:9092", "--metrics-port", "0", "--metrics-address", "0.0.0.0"])
        XCTAssertEqual(options.metricsPort, 0)
        XCTAssertEqual(options.metricsAddress, "0.0.0.0")
        let defaults = try RunOptions.parse(["--bootstrap", "b:9092"])
        XCTAssertNil(defaults.metricsPort, "no endpoint unless asked for")
        XCTAssertEqual(defaults.metricsAddress, "127.0.0.1")
        XCTAssertThrowsError(try RunOptions.parse(["--bootstrap", "b:9092", "--metrics-port", "65536"])) { error in
            XCTAssertEqual(RunOptions.message(for: error), "--metrics-port takes 0 to 65535, got 65536")
        }
        XCTAssertThrowsError(try RunOptions.parse(["--bootstrap", "b:9092", "--metrics-port", "1", "--metrics-address", "localhost"])) { error in
            XCTAssertEqual(RunOptions.message(for: error), "--metrics-address takes an IPv4 address, got 'localhost'")
        }
    }

    func testEnvironmentVariables() {
        let names = RunOptions.environmentNames.filter { $0.option.hasPrefix("metrics-") }.map { "\($0.option)=\($0.variable)" }
        XCTAssertEqual(names, ["metrics-port=SLUICE_METRICS_PORT", "metrics-address=SLUICE_METRICS_ADDRESS"])
    }
}
