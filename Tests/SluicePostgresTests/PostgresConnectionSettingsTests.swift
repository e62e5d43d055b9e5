import SluicePostgres
import XCTest

/// Connection URLs as libpq users write them; errors that name what is wrong and never the
/// password.
final class PostgresConnectionSettingsTests: XCTestCase {
    func testAFullURL() throws {
        let settings = try PostgresConnectionSettings(
            url: "postgresql://ana:p%40ss@db.example:6543/analytics?sslmode=verify-full&sslrootcert=/etc/ca.pem&connect_timeout=3",
            environment: [:])
        XCTAssertEqual(settings.host, "db.example")
        XCTAssertEqual(settings.port, 6543)
        XCTAssertEqual(settings.user, "ana")
        XCTAssertEqual(settings.password, "p@ss")
        XCTAssertEqual(settings.database, "analytics")
        XCTAssertEqual(settings.tls, .verifyFull(rootCertificate: "/etc/ca.pem"))
        XCTAssertEqual(settings.connectTimeout, .seconds(3))
        XCTAssertEqual(settings.server, "db.example:6543")
        XCTAssertEqual(settings.description, "postgresql://ana@db.example:6543/analytics?sslmode=verify-full")
    }

    func testDefaultsAndThePasswordFromTheEnvironment() throws {
        let settings = try PostgresConnectionSettings(url: "postgres://bob@localhost", environment: ["PGPASSWORD": "secret"])
        XCTAssertEqual(settings.port, 5432)
        XCTAssertNil(settings.database)
        XCTAssertEqual(settings.databaseName, "bob", "libpq's default: the user's name")
        XCTAssertEqual(settings.password, "secret")
        XCTAssertEqual(settings.tls, .disable)
        XCTAssertFalse(settings.description.contains("secret"))
        let explicit = try PostgresConnectionSettings(url: "postgresql://bob:mine@localhost/db", environment: ["PGPASSWORD": "secret"])
        XCTAssertEqual(explicit.password, "mine", "the URL's password wins")
    }

    func testBadURLsSayWhatIsWrongWithoutThePassword() {
        let cases: [(String, String)] = [
            ("mysql://u:hunter2@h/db", "expected a URL postgresql://"),
            ("postgresql://h:5432/db", "names no user"),
            ("postgresql://u:hunter2@h/db?sslmode=always", "sslmode takes disable, prefer, require or verify-full"),
            ("postgresql://u:hunter2@h/db?pool=3", "unknown URL parameter 'pool'"),
            ("postgresql://u:hunter2@h/db?connect_timeout=soon", "connect_timeout takes whole seconds"),
        ]
        for (url, expected) in cases {
            XCTAssertThrowsError(try PostgresConnectionSettings(url: url, environment: [:]), url) { error in
                let line = "\(error)"
                XCTAssertTrue(line.contains(expected), "\(url): \(line)")
                XCTAssertFalse(line.contains("hunter2"), "\(url): \(line) shows the password")
                XCTAssertTrue((error as? PostgresSinkError)?.isFatal == true)
            }
        }
    }

    func testSinkSettingsThatMakeNoSenseAreRefusedAtOnce() throws {
        let settings = PostgresConnectionSettings(host: "127.0.0.1", user: "u")
        XCTAssertThrowsError(try PostgresSink<Int>(settings, table: "t", columns: ["a", "a"]) { [.int64(Int64($0))] }) {
            XCTAssertTrue("\($0)".contains("named twice"), "\($0)")
        }
        XCTAssertThrowsError(try PostgresSink<Int>(settings, table: "t", columns: ["a"], mode: .upsert(key: ["b"])) { [.int64(Int64($0))] }) {
            XCTAssertTrue("\($0)".contains("the upsert key column b is not among the columns"), "\($0)")
        }
        // Batches never pass the protocol's 65,535 parameters.
        let wide = try PostgresSink<Int>(settings, table: "t", columns: (0..<100).map { "c\($0)" }, batchRows: 10_000) { _ in [] }
        XCTAssertEqual(wide.batchRows, 655)
        wide.close()
    }
}
