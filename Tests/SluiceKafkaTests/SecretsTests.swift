import Foundation
import XCTest

/// No secret is ever printed: for each way of passing librdkafka properties (`--property`,
/// `--properties-file`, a `SLUICE_*` variable, a `--config` file), a setting librdkafka
/// refuses, next to a secret, ends a job command's `run` and `plan` and `sluice offsets show`
/// and `sluice checkpoints list` with exit status 64 and one line naming the key, and the
/// secret appears nowhere in what they print. The property check comes before any
/// connection, so no broker is needed: 127.0.0.1:1 is never reached.
final class SecretsTests: XCTestCase {
    /// One way of passing a refused setting: its arguments and environment, the key librdkafka
    /// refuses, and the secrets that must not be printed.
    struct Way {
        var name: String
        var arguments: [String]
        var environment: [String: String] = [:]
        var refusedKey: String
        var secrets: [String]
    }

    /// Where this test's files are, removed after it.
    private var directory = FileManager.default.temporaryDirectory

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-secrets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: directory)
        super.tearDown()
    }

    /// Writes file `name` of the test's directory; returns its path.
    private func write(_ name: String, _ text: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The ways, each with secrets of its own; the brokers (never reached) come the same way
    /// as the properties: `--bootstrap`, `SLUICE_BOOTSTRAP` or the config file's `bootstrap`.
    private func ways() throws -> [Way] {
        let jaas = try write("jaas.properties", """
            security.protocol=SASL_SSL
            sasl.mechanism=PLAIN
            sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="s3cret-JAAS-41";
            """)
        let sslFile = try write("ssl.properties", """
            ssl.key.password=keypass-ENV-42
            ssl.key.passwd=keypass-ENV-42
            """)
        let protocolConfig = try write("protocol.conf", """
            bootstrap = 127.0.0.1:1
            kafka.ssl.key.password = cfgkey-CFG-43
            kafka.security.protocol = sasl-CFG-44
            """)
        let envConfig = try write("env.conf", """
            bootstrap = 127.0.0.1:1
            kafka.sasl.username = u
            kafka.sasl.passwort = cfgpass-ENV-45
            """)
        return [
            Way(name: "--property", arguments: ["--bootstrap", "127.0.0.1:1", "--property", "sasl.pasword=hunter2-FLAG-40"],
                refusedKey: "sasl.pasword", secrets: ["hunter2-FLAG-40"]),
            Way(name: "--properties-file", arguments: ["--bootstrap", "127.0.0.1:1", "--properties-file", jaas],
                refusedKey: "sasl.jaas.config", secrets: ["s3cret-JAAS-41", "PlainLoginModule"]),
            Way(name: "SLUICE_PROPERTIES_FILE", arguments: [],
                environment: ["SLUICE_BOOTSTRAP": "127.0.0.1:1", "SLUICE_PROPERTIES_FILE": sslFile],
                refusedKey: "ssl.key.passwd", secrets: ["keypass-ENV-42"]),
            Way(name: "--config", arguments: ["--config", protocolConfig],
                refusedKey: "security.protocol", secrets: ["cfgkey-CFG-43", "sasl-CFG-44"]),
            Way(name: "SLUICE_CONFIG", arguments: [], environment: ["SLUICE_CONFIG": envConfig],
                refusedKey: "sasl.passwort", secrets: ["cfgpass-ENV-45"]),
        ]
    }

    /// Checks that `run` ended with exit status 64 and one line on standard error naming
    /// `way`'s refused key, nothing on standard output, and none of its secrets anywhere.
    private func expectRefused(_ run: ExampleProcess.Outcome, _ way: Way, command: String, prefix: String) {
        let label = "\(command) with \(way.name)"
        print("[\(name)] \(label): status \(run.status), \(run.stderr)", terminator: "")
        XCTAssertTrue(run.exited, label)
        XCTAssertEqual(run.status, 64, "\(label): \(run.stderr)")
        XCTAssertEqual(run.stdout, "", label)
        XCTAssertEqual(run.errorLines.count, 1, "\(label), one line: \(run.stderr)")
        XCTAssertTrue(
            run.stderr.hasPrefix("\(prefix): error: librdkafka rejects the property \(way.refusedKey): "), "\(label): \(run.stderr)")
        for secret in way.secrets {
            XCTAssertFalse(run.stdout.contains(secret) || run.stderr.contains(secret), "\(label) printed \(secret)")
        }
    }

    func testAJobCommandNamesTheRefusedKeyAndPrintsNoSecret() throws {
        for way in try ways() {
            let run = try ExampleProcess.run("word-count", ["run"] + way.arguments, environment: way.environment)
            expectRefused(run, way, command: "word-count run", prefix: "word-count")
            // plan takes the same properties but no --bootstrap from the environment or file:
            // it plans against its mock cluster, and checks the properties all the same.
            let planArguments = way.arguments.filter { $0 != "--bootstrap" && $0 != "127.0.0.1:1" }
            let plan = try ExampleProcess.run("word-count", ["plan"] + planArguments, environment: way.environment)
            expectRefused(plan, way, command: "word-count plan", prefix: "word-count")
        }
    }

    func testSluiceOffsetsAndCheckpointsNameTheRefusedKeyAndPrintNoSecret() throws {
        for way in try ways() {
            for command in [["offsets", "show", "word-count"], ["checkpoints", "list", "word-count"]] {
                let run = try SluiceExecutable.run(command + way.arguments, environment: way.environment)
                expectRefused(run, way, command: "sluice \(command.joined(separator: " "))", prefix: "sluice")
            }
        }
    }

    func testAMalformedPropertyIsNotQuoted() throws {
        let run = try ExampleProcess.run("word-count", ["run", "--bootstrap", "127.0.0.1:1", "--property", "hunter2-BARE-46"])
        XCTAssertEqual(run.status, 64, run.stderr)
        XCTAssertTrue(run.stderr.contains("--property: expected key=value, got no '='"), run.stderr)
        XCTAssertFalse(run.stderr.contains("hunter2-BARE-46"), run.stderr)
        let sluice = try SluiceExecutable.run(["offsets", "show", "word-count", "--bootstrap", "127.0.0.1:1", "--property", "hunter2-BARE-46"])
        XCTAssertEqual(sluice.status, 64, sluice.stderr)
        XCTAssertTrue(sluice.stderr.contains("--property: expected key=value, got no '='"), sluice.stderr)
        XCTAssertFalse(sluice.stderr.contains("hunter2-BARE-46"), sluice.stderr)
    }

    func testPlanShowsTheSensitivePropertiesRedacted() throws {
        let sslFile = try write("ssl.properties", "ssl.key.password=keypass-PLAN-48\n")
        let config = try write("plan.conf", "kafka.ssl.keystore.password = keystore-PLAN-49\n")
        let run = try ExampleProcess.run(
            "word-count",
            ["plan", "--property", "sasl.password=saslpass-PLAN-47", "--property", "sasl.username=planner",
             "--property", "sasl.mechanism=PLAIN", "--property", "security.protocol=sasl_plaintext", "--properties-file", sslFile],
            environment: ["SLUICE_CONFIG": config])
        XCTAssertEqual(run.status, 0, run.stderr)
        let lines = run.outputLines
        let start = try XCTUnwrap(lines.firstIndex(of: "librdkafka properties:"), run.stdout)
        XCTAssertEqual(Array(lines[(start + 1)...]), [
            "  sasl.mechanism = PLAIN",
            "  sasl.password = [redacted]",
            "  sasl.username = [redacted]",
            "  security.protocol = sasl_plaintext",
            "  ssl.key.password = [redacted]",
            "  ssl.keystore.password = [redacted]",
        ])
        for secret in ["saslpass-PLAN-47", "keypass-PLAN-48", "keystore-PLAN-49"] {
            XCTAssertFalse(run.stdout.contains(secret) || run.stderr.contains(secret), "plan printed \(secret)")
        }
    }

    func testAClientLibrdkafkaCannotBuildIsAUsageErrorAndPrintsNoSecret() throws {
        // Each property is taken; building the first client fails on the missing certificate.
        let ssl = try write("tls.properties", """
            security.protocol=ssl
            ssl.certificate.location=/nonexistent/sluice-cert.pem
            ssl.key.location=/nonexistent/sluice-key.pem
            ssl.key.password=pem-BUILD-50
            """)
        let connection = ["--bootstrap", "127.0.0.1:1", "--properties-file", ssl]
        let runs = [
            ("word-count run", "word-count", try ExampleProcess.run("word-count", ["run"] + connection)),
            ("sluice offsets show", "sluice", try SluiceExecutable.run(["offsets", "show", "word-count"] + connection)),
        ]
        for (label, prefix, run) in runs {
            print("[\(name)] \(label): status \(run.status), \(run.stderr)", terminator: "")
            XCTAssertEqual(run.status, 64, "\(label): \(run.stderr)")
            XCTAssertEqual(run.errorLines.count, 1, "\(label), one line: \(run.stderr)")
            XCTAssertTrue(
                run.stderr.hasPrefix("\(prefix): error: librdkafka cannot build a client from the properties given: ssl.certificate.location"),
                "\(label): \(run.stderr)")
            XCTAssertFalse(run.stdout.contains("pem-BUILD-50") || run.stderr.contains("pem-BUILD-50"), "\(label) printed the key's password")
        }
    }
}

