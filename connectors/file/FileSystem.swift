import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few POSIX calls the file connectors need, each failure a ``FileConnectorError`` naming
/// the path and the system's reason.
enum FileSystem {
    /// Opens `path` for writing, creating it; fails when it exists already.
    static func create(_ path: String) throws -> Int32 {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw FileConnectorError.system("creating", path: path, errno: errno) }
        return descriptor
    }

    /// Opens `path` for reading.
    static func openForReading(_ path: String) throws -> Int32 {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileConnectorError.system("opening", path: path, errno: errno) }
        return descriptor
    }

    /// Writes every byte of `bytes` to `descriptor`.
    static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], path: String) throws {
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { buffer in
                write(descriptor, buffer.baseAddress! + written, buffer.count - written)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileConnectorError.system("writing", path: path, errno: errno)
            }
            written += count
        }
    }

    /// Reads up to `count` bytes at `offset` into the end of `buffer`; returns how many it read
    /// (0 at the end of the file).
    static func read(_ descriptor: Int32, at offset: Int64, count: Int, into buffer: inout [UInt8], path: String) throws -> Int {
        let start = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: count))
        while true {
            let read = buffer.withUnsafeMutableBytes { raw in
                pread(descriptor, raw.baseAddress! + start, count, off_t(offset))
            }
            if read < 0 {
                if errno == EINTR { continue }
                buffer.removeLast(count)
                throw FileConnectorError.system("reading", path: path, errno: errno)
            }
            buffer.removeLast(count - read)
            return read
        }
    }

    /// Closes `descriptor`.
    static func release(_ descriptor: Int32) {
        _ = close(descriptor)
    }

    /// Makes what was written to `descriptor` durable.
    static func sync(_ descriptor: Int32, path: String) throws {
        guard fsync(descriptor) == 0 else { throw FileConnectorError.system("syncing", path: path, errno: errno) }
    }

    /// Makes the entries of directory `path` (files created, renamed or removed in it) durable.
    static func syncDirectory(_ path: String) throws {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileConnectorError.system("opening directory", path: path, errno: errno) }
        defer { close(descriptor) }
        try sync(descriptor, path: path)
    }

    /// Renames `from` to `to` in one step: a reader sees one name or the other, never neither.
    static func moveAtomically(_ from: String, to: String) throws {
        guard rename(from, to) == 0 else {
            throw FileConnectorError.system("renaming \(from) to", path: to, errno: errno)
        }
    }

    /// Removes `path`; a file that is already gone is no failure.
    static func remove(_ path: String) throws {
        guard unlink(path) == 0 || errno == ENOENT else { throw FileConnectorError.system("removing", path: path, errno: errno) }
    }

    /// Whether `path` names an existing file.
    static func exists(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0
    }

    /// Creates directory `path` and its parents when missing.
    static func createDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw FileConnectorError.failed("creating directory", path: path, reason: "\(error.localizedDescription)")
        }
    }

    /// Calls `body` with every file's directory and name under `root`, descending into
    /// directories that are not hidden (buckets never are).
    static func walk(_ root: String, _ body: (String, String) throws -> Void) throws {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: root)
        } catch {
            throw FileConnectorError.failed("listing", path: root, reason: "\(error.localizedDescription)")
        }
        for name in names.sorted() {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: "\(root)/\(name)", isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                if !name.hasPrefix(".") { try walk("\(root)/\(name)", body) }
            } else {
                try body(root, name)
            }
        }
    }
}
