import Foundation

/// A file a ``FileSource`` reads: its path under the source's directory, size and modification
/// time as listed.
struct ListedFile: Hashable {
    /// Relative to the source's directory, `/`-separated.
    var path: String
    var size: Int64
    /// Milliseconds since the Unix epoch: the timestamp of every line of the file.
    var modified: Int64

    /// Every visible regular file under `root` (hidden files and directories left out), sorted
    /// by path as bytes, so every worker orders them alike.
    static func list(_ root: String) throws -> [ListedFile] {
        var files: [ListedFile] = []
        try FileSystem.walk(root) { directory, name in
            guard !name.hasPrefix(".") else { return }
            let full = "\(directory)/\(name)"
            let attributes: [FileAttributeKey: Any]
            do {
                attributes = try FileManager.default.attributesOfItem(atPath: full)
            } catch {
                // Gone between listing and reading its attributes: the next scan decides.
                return
            }
            guard attributes[.type] as? FileAttributeType == .typeRegular else { return }
            let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
            let modified = (attributes[.modificationDate] as? Date).map { Int64(($0.timeIntervalSince1970 * 1000).rounded(.down)) } ?? 0
            let relative = directory == root ? name : "\(directory.dropFirst(root.count + 1))/\(name)"
            files.append(ListedFile(path: relative, size: size, modified: modified))
        }
        return files.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
    }

    /// The split of `count` that reads the file at `path`: FNV-1a of the path's bytes, so every
    /// worker places a file alike, and a file keeps its split as others come and go.
    static func split(of path: String, count: Int) -> Int32 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in path.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return Int32(hash % UInt64(count))
    }
}
