import Foundation

/// Where the repository, its scripts and its Python environment are.
enum RigPaths {
    /// The repository root: `SLUICE_ROOT` if set, else the nearest directory above this source
    /// file that holds `Package.swift`.
    static let root: String = {
        if let explicit = ProcessInfo.processInfo.environment["SLUICE_ROOT"], !explicit.isEmpty {
            return explicit
        }
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                return url.path
            }
            url.deleteLastPathComponent()
        }
        return FileManager.default.currentDirectoryPath
    }()

    /// The project's Python interpreter, with confluent-kafka, Tansu and kafka-python-ng.
    static var python: String { root + "/.venv/bin/python" }

    /// Path of a script under `scripts/`.
    static func script(_ name: String) -> String { root + "/scripts/" + name }

    /// Throws ``BrokerRigError/setupMissing(_:)`` unless the Python environment and `script` exist.
    static func requireSetup(script name: String) throws {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw BrokerRigError.setupMissing("\(python) not found: run scripts/setup.sh first")
        }
        guard FileManager.default.fileExists(atPath: script(name)) else {
            throw BrokerRigError.setupMissing("\(script(name)) not found (SLUICE_ROOT=\(root))")
        }
    }
}
