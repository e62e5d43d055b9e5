import Foundation

/// A value guarded by a lock, for the few places where task threads share something mutable
/// (collecting sinks, printing). Values cross threads only through `withLock`, which is why
/// the unchecked conformance is sound.
final class LockedValue<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) {
        self.value = value
    }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
