import Foundation

/// A directory under the system's temporary one, removed when the test ends.
final class TemporaryDirectory {
    let path: String

    init(_ label: String) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-\(label)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `text` to `name` (a path relative to the directory), creating its directories.
    func write(_ name: String, _ text: String) throws {
        let url = URL(fileURLWithPath: path).appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    /// Every file under the directory, by path relative to it, hidden ones included, sorted.
    func files() -> [String] {
        var out: [String] = []
        let enumerator = FileManager.default.enumerator(atPath: path)
        while let name = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: "\(path)/\(name)", isDirectory: &isDirectory), !isDirectory.boolValue {
                out.append(name)
            }
        }
        return out.sorted()
    }

    /// The visible part files (`part-…`, at any depth).
    func partFiles() -> [String] {
        files().filter { ($0.split(separator: "/").last ?? "").hasPrefix("part-") }
    }

    /// The hidden files, at any depth.
    func hiddenFiles() -> [String] {
        files().filter { ($0.split(separator: "/").last ?? "").hasPrefix(".") }
    }

    /// The lines of `name`.
    func lines(_ name: String) throws -> [String] {
        try String(contentsOfFile: "\(path)/\(name)", encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            .dropLast().map(String.init)
    }

    /// The lines of every visible part file, in file order.
    func partLines() throws -> [String] {
        try partFiles().flatMap { try lines($0) }
    }
}
