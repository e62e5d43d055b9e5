import Foundation

/// Running a process on librdkafka 2.16 instead of Debian's 2.0.2: a child, or this process
/// started again.
///
/// `scripts/setup.sh` makes `<repo>/.venv/librdkafka-2.16/librdkafka.so.1` point at the
/// confluent-kafka wheel's librdkafka 2.16. A program built against Debian's headers runs on
/// the newer library when that directory comes first on `LD_LIBRARY_PATH`; Tansu needs it,
/// since librdkafka 2.0.2 cannot talk to Tansu.
public enum Librdkafka216 {
    /// The directory holding the `librdkafka.so.1` of librdkafka 2.16.
    public static var libraryDirectory: String {
        RigPaths.root + "/.venv/librdkafka-2.16"
    }

    /// Whether ``libraryDirectory`` holds a `librdkafka.so.1`, i.e. `scripts/setup.sh` ran.
    public static var isAvailable: Bool {
        FileManager.default.fileExists(atPath: libraryDirectory + "/librdkafka.so.1")
    }

    /// An environment for a child process that loads librdkafka 2.16: `base` (by default this
    /// process's environment) with ``libraryDirectory`` prepended to `LD_LIBRARY_PATH`.
    public static func environment(
        base: [String: String] = ProcessInfo.processInfo.environment
    ) -> [String: String] {
        var env = base
        if let existing = env["LD_LIBRARY_PATH"], !existing.isEmpty {
            env["LD_LIBRARY_PATH"] = libraryDirectory + ":" + existing
        } else {
            env["LD_LIBRARY_PATH"] = libraryDirectory
        }
        return env
    }

    /// Whether `version` (librdkafka's, e.g. `2.0.2`) is at least `major.minor`. Tansu needs
    /// 2.12 or newer.
    public static func version(_ version: String, isAtLeast major: Int, _ minor: Int) -> Bool {
        let parts = version.split(separator: ".").compactMap { Int($0) }
        guard parts.count >= 2 else { return false }
        return (parts[0], parts[1]) >= (major, minor)
    }

    /// Marks a process this type started again, so that one still on an older librdkafka
    /// reports that instead of starting itself once more.
    private static let restartedVariable = "SLUICE_RESTARTED_ON_LIBRDKAFKA_216"

    /// Runs this program again from the start, with the same arguments and
    /// ``libraryDirectory`` first on `LD_LIBRARY_PATH`. Returns only by throwing.
    ///
    /// - Throws: ``BrokerRigError/setupMissing(_:)`` when `scripts/setup.sh` has not run,
    ///   ``BrokerRigError/librdkafkaSwitchFailed(_:)`` when this process already is such a
    ///   restart (so it still runs an older librdkafka) or cannot be started again.
    public static func restartThisProcess() throws -> Never {
        guard isAvailable else {
            throw BrokerRigError.setupMissing("\(libraryDirectory)/librdkafka.so.1 not found: run scripts/setup.sh first")
        }
        guard ProcessInfo.processInfo.environment[restartedVariable] == nil else {
            throw BrokerRigError.librdkafkaSwitchFailed(
                "an older librdkafka is loaded although \(libraryDirectory) is first on LD_LIBRARY_PATH")
        }
        setenv("LD_LIBRARY_PATH", environment()["LD_LIBRARY_PATH"]!, 1)
        setenv(restartedVariable, "1", 1)
        let arguments = CommandLine.arguments.map { strdup($0) } + [nil]
        execv("/proc/self/exe", arguments)
        throw BrokerRigError.librdkafkaSwitchFailed("cannot start /proc/self/exe again: \(String(cString: strerror(errno)))")
    }
}
