import Foundation
import RdKafka

/// Where the demo finds what the project's set-up installed (the test brokers' Python
/// environment and librdkafka 2.16), and the re-start on that librdkafka that Tansu needs.
enum DemoSetting {
    /// The project directory: the nearest directory, from the working directory or from this
    /// executable, holding `scripts/brokers.py`.
    static func projectRoot() throws -> URL {
        var candidates = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath)]
        if let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append(URL(fileURLWithPath: executable).deletingLastPathComponent())
        }
        for start in candidates {
            var directory = start.standardizedFileURL
            while directory.path != "/" {
                if FileManager.default.fileExists(atPath: directory.appendingPathComponent("scripts/brokers.py").path) {
                    return directory
                }
                directory.deleteLastPathComponent()
            }
        }
        throw DemoError("cannot find the Sluice project (scripts/brokers.py) from \(FileManager.default.currentDirectoryPath): run the demo with scripts/demo.sh from the project")
    }

    /// The Python of the project's environment, with the brokers installed by `scripts/setup.sh`.
    static func python(root: URL) throws -> String {
        let path = root.appendingPathComponent(".venv/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw DemoError("\(path) is missing: run scripts/demo.sh, which installs the demo's broker first")
        }
        return path
    }

    /// librdkafka 2.16 from the `confluent-kafka` wheel, which Tansu needs (2.12 or newer).
    static func librdkafka216(root: URL) -> String {
        root.appendingPathComponent(".venv/librdkafka-2.16").path
    }

    /// Whether the loaded librdkafka is at least `major.minor`.
    static func librdkafkaIsAtLeast(_ major: Int, _ minor: Int) -> Bool {
        let parts = KafkaProducer.librdkafkaVersion.split(separator: ".").compactMap { Int($0) }
        guard parts.count >= 2 else { return false }
        return (parts[0], parts[1]) >= (major, minor)
    }

    /// Runs this same command again with librdkafka 2.16 first on the library path; returns only
    /// when that is not possible (then the caller reports it).
    static func restartOnLibrdkafka216(root: URL) throws -> Never {
        let directory = librdkafka216(root: root)
        guard FileManager.default.fileExists(atPath: directory + "/librdkafka.so.1") else {
            throw DemoError("\(directory)/librdkafka.so.1 is missing: run scripts/demo.sh, which installs it")
        }
        guard ProcessInfo.processInfo.environment["SLUICE_DEMO_RESTARTED"] == nil else {
            throw DemoError("librdkafka \(KafkaProducer.librdkafkaVersion) is loaded although \(directory) is on LD_LIBRARY_PATH")
        }
        let existing = ProcessInfo.processInfo.environment["LD_LIBRARY_PATH"].map { ":" + $0 } ?? ""
        setenv("LD_LIBRARY_PATH", directory + existing, 1)
        setenv("SLUICE_DEMO_RESTARTED", "1", 1)
        let arguments = CommandLine.arguments.map { strdup($0) } + [nil]
        execv("/proc/self/exe", arguments)
        throw DemoError("cannot restart the demo on librdkafka 2.16: \(String(cString: strerror(errno)))")
    }
}

/// A demo failure: one line, exit status 1.
struct DemoError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
