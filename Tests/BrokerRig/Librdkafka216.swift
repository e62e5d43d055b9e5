import Foundation

/// Running child processes on librdkafka 2.16 instead of Debian's 2.0.2.
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
}
