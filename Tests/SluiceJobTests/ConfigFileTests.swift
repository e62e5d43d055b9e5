import ArgumentParser
import RdKafka
import SluiceKafka
import XCTest
@testable import SluiceJob

/// `run --config <file>`: the file's format, its errors naming file, line and key, and its
/// place below the environment and the command line, parsed by the real command.
final class ConfigFileTests: XCTestCase {
    struct Sample: StreamJob {
        static let name = "sample"
        @Option var input = "in"

        func build(_ job: JobContext) throws {}
    }

    private var files: [URL] = []

    override func tearDown() {
        for file in files { try? FileManager.default.removeItem(at: file) }
        files = []
        super.tearDown()
    }

    private func write(_ text: String) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-\(UUID().uuidString).conf")
        try text.write(to: file, atomically: true, encoding: .utf8)
        files.append(file)
        return file.path
    }

    private func parse(_ commandLine: [String], _ environment: [String: String] = [:]) throws -> RunCommand<Sample> {
        let command = try JobCommand<Sample>.parseAsRoot(
            EnvironmentDefaults.arguments(for: Sample.self, commandLine: commandLine, environment: environment))
        return try XCTUnwrap(command as? RunCommand<Sample>)
    }

    /// The message `run` prints for arguments that fail, and checks that they fail as usage errors.
    private func failure(_ commandLine: [String], _ environment: [String: String] = [:]) -> String {
        do {
            _ = try parse(commandLine, environment)
            XCTFail("\(commandLine) parsed")
            return ""
        } catch {
            XCTAssertEqual(JobCommand<Sample>.exitCode(for: error), .validationFailure, "\(error)")
            return JobCommand<Sample>.message(for: error)
        }
    }

    func testEveryKeyOfAFileReachesTheRuntimeOptions() throws {
        let path = try write("""
            # a whole job's settings
            bootstrap = file:9092
            workers = 3
            worker-id = file-id
            guarantee = at-least-once
            from = earliest
            until = end
            checkpoint-interval = 250ms
            status-interval = 1m
            log-level = debug
            log-format = json
            verbose = yes
            metrics-port = 9464
            metrics-address = 0.0.0.0

            consumer.session-timeout = 6s
            consumer.heartbeat-interval = 500ms
            consumer.max-poll-interval = 10s
            consumer.fetch-wait = 50ms
            consumer.assignment-strategy = range
            consumer.isolation-level = read-uncommitted
            consumer.membership = dynamic
            producer.transaction-timeout = 15s
            producer.linger = 5ms
            producer.acks = all
            producer.compression = lz4
            kafka.security.protocol = plaintext
            kafka.sasl.jaas.config = a=b=c
            consumer.kafka.fetch.min.bytes = 1024
            producer.kafka.batch.size = 2048
            """)
        let run = try parse(["run", "--config", path])
        let options = run.options
        XCTAssertEqual(options.bootstrap, "file:9092")
        XCTAssertEqual(options.workerIDs, ["file-id-0", "file-id-1", "file-id-2"])
        XCTAssertEqual(options.guarantee, .atLeastOnce)
        XCTAssertEqual(options.from, .earliest)
        XCTAssertEqual(options.until, .end)
        XCTAssertEqual(options.checkpointInterval.duration, .milliseconds(250))
        XCTAssertEqual(options.statusInterval.duration, .seconds(60))
        XCTAssertEqual(options.logLevel.level, .debug)
        XCTAssertEqual(options.logFormat, .json)
        XCTAssertTrue(options.verbose)
        XCTAssertEqual(options.metricsPort, 9464)
        XCTAssertEqual(options.metricsAddress, "0.0.0.0")

        let settings = try options.kafkaSettings()
        XCTAssertEqual(settings.consumer, ConsumerOptions(
            sessionTimeout: .seconds(6), heartbeatInterval: .milliseconds(500), maxPollInterval: .seconds(10),
            fetchWait: .milliseconds(50), assignmentStrategy: .range, isolationLevel: .readUncommitted, membership: .dynamic,
            properties: ["fetch.min.bytes": "1024"]))
        XCTAssertEqual(settings.producer, ProducerOptions(
            transactionTimeout: .seconds(15), linger: .milliseconds(5), acks: .all, compression: .lz4,
            properties: ["batch.size": "2048"]))
        XCTAssertEqual(settings.properties, ["security.protocol": "plaintext", "sasl.jaas.config": "a=b=c"])
    }

    func testWithoutAFileTheDefaultsHold() throws {
        let options = try parse(["run", "--bootstrap", "b:1"]).options
        XCTAssertEqual(options.guarantee, .exactlyOnce)
        let settings = try options.kafkaSettings()
        XCTAssertEqual(settings.consumer, ConsumerOptions())
        XCTAssertEqual(settings.producer, ProducerOptions())
        XCTAssertEqual(ProducerOptions().transactionTimeout, .seconds(60))
        XCTAssertEqual(settings.properties, [:])
    }

    func testCommandLineWinsOverEnvironmentWhichWinsOverTheFile() throws {
        let path = try write("""
            bootstrap = file:9092
            workers = 2
            guarantee = none
            consumer.session-timeout = 30s
            consumer.heartbeat-interval = 3s
            producer.linger = 20ms
            verbose = true
            """)
        let environment = [
            "SLUICE_CONFIG": path, "SLUICE_BOOTSTRAP": "env:9092", "SLUICE_GUARANTEE": "at-least-once",
            "SLUICE_CONSUMER_SESSION_TIMEOUT": "10s", "SLUICE_PRODUCER_LINGER": "7ms",
        ]
        let options = try parse(
            ["run", "--guarantee", "exactly-once", "--consumer-session-timeout=8s"], environment).options
        XCTAssertEqual(options.bootstrap, "env:9092", "the environment over the file")
        XCTAssertEqual(options.workers, 2, "the file over the default")
        XCTAssertEqual(options.guarantee, .exactlyOnce, "the command line over the environment and the file")
        XCTAssertTrue(options.verbose, "a flag from the file")
        let settings = try options.kafkaSettings()
        XCTAssertEqual(settings.consumer.sessionTimeout, .seconds(8), "the command line over the environment and the file")
        XCTAssertEqual(settings.consumer.heartbeatInterval, .seconds(3), "the file over the default")
        XCTAssertEqual(settings.producer.linger, .milliseconds(7), "the environment over the file")

        // --config on the command line names the file instead of SLUICE_CONFIG.
        let other = try write("workers = 4\n")
        XCTAssertEqual(try parse(["run", "--config=\(other)"], environment).options.workers, 4)
    }

    func testPassthroughPropertiesLayerFileThenPropertiesFileThenProperty() throws {
        let config = try write("""
            kafka.a = config
            kafka.b = config
            kafka.c = config
            """)
        let properties = try write("b = properties-file\nc = properties-file\n")
        let options = try parse(["run", "--bootstrap", "b:1", "--config", config, "--properties-file", properties, "--property", "c=flag"]).options
        XCTAssertEqual(try options.kafkaProperties(), ["a": "config", "b": "properties-file", "c": "flag"])
    }

    func testBadLinesNameTheFileTheLineAndTheKey() throws {
        let cases: [(text: String, line: Int, expected: String)] = [
            ("bootstrap = b:1\nconsumer.session-timeout = 6 seconds\n", 2, "key consumer.session-timeout: '6 seconds' is not a duration like 500ms, 6s or 1m"),
            ("# header\n\nguarantee = twice\n", 3, "key guarantee: 'twice' is not exactly-once, at-least-once or none"),
            ("workers = 0\n", 1, "key workers: '0' is not a number from 1 to 256"),
            ("producer.compression = brotli\n", 1, "key producer.compression: 'brotli' is not none, gzip, snappy, lz4, zstd"),
            ("consumer.assignment-strategy = sticky\n", 1, "key consumer.assignment-strategy: 'sticky' is not cooperative-sticky, range or roundrobin"),
            ("consumer.membership = sticky\n", 1, "key consumer.membership: 'sticky' is not static or dynamic"),
            ("verbose = maybe\n", 1, "key verbose: 'maybe' is not true or false"),
            ("log-format = xml\n", 1, "key log-format: 'xml' is not text or json"),
            ("session.timeout.ms = 6000\n", 1, "unknown key session.timeout.ms (a librdkafka property is written kafka.<property>"),
            ("producer.linger = 5ms\nproducer.linger = 6ms\n", 2, "key producer.linger is already set on line 1"),
            ("bootstrap b:1\n", 1, "expected key = value, got no '='"),
            ("kafka. = 1\n", 1, "key kafka. names no librdkafka property"),
        ]
        for (text, line, expected) in cases {
            let path = try write(text)
            let message = failure(["run", "--bootstrap", "b:1", "--config", path])
            XCTAssertTrue(message.contains("--config \(path) line \(line): \(expected)"), message)
        }
        // The file's good lines still count while its bad one is reported: no missing --bootstrap.
        let path = try write("bootstrap = b:1\nproducer.linger = soon\n")
        let message = failure(["run", "--config", path])
        XCTAssertTrue(message.contains("--config \(path) line 2: key producer.linger: 'soon' is not a duration"), message)
        XCTAssertFalse(message.contains("--bootstrap"), message)

        let missing = failure(["run", "--bootstrap", "b:1", "--config", "/no/such/sluice.conf"])
        XCTAssertTrue(missing.contains("--config /no/such/sluice.conf: cannot read it"), missing)
    }

    func testATypedOptionAndTheSamePropertyAreAnErrorNamingBoth() throws {
        let message = failure(["run", "--bootstrap", "b:1", "--consumer-session-timeout", "6s", "--property", "session.timeout.ms=6000"])
        XCTAssertTrue(message.contains(
            "--consumer-session-timeout (consumer.session-timeout in --config, SLUICE_CONSUMER_SESSION_TIMEOUT) and the librdkafka property session.timeout.ms (from --property, --properties-file or kafka.* in --config) both set session.timeout.ms"),
            message)

        let path = try write("producer.linger = 5ms\nproducer.kafka.linger.ms = 5\n")
        let fromFile = failure(["run", "--bootstrap", "b:1", "--config", path])
        XCTAssertTrue(fromFile.contains(
            "--producer-linger (producer.linger in --config, SLUICE_PRODUCER_LINGER) and the librdkafka property linger.ms (from producer.kafka.* in --config) both set linger.ms"),
            fromFile)

        let reserved = failure(["run", "--bootstrap", "b:1", "--property", "group.id=mine"])
        XCTAssertTrue(reserved.contains("the librdkafka property group.id (from --property, --properties-file or kafka.* in --config) cannot be set"), reserved)

        let acks = failure(["run", "--bootstrap", "b:1", "--producer-acks", "1"])
        XCTAssertTrue(acks.contains("--producer-acks (producer.acks in --config, SLUICE_PRODUCER_ACKS) = 1 is not supported"), acks)

        let isolation = failure(["run", "--bootstrap", "b:1", "--consumer-isolation-level", "read-uncommitted"])
        XCTAssertTrue(isolation.contains("= read_uncommitted is not supported: an exactly-once job reads committed records only"), isolation)
        XCTAssertNoThrow(try parse(["run", "--bootstrap", "b:1", "--guarantee", "at-least-once", "--consumer-isolation-level", "read-uncommitted"]))
    }
}
