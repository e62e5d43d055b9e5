/// Names of the keyed state Sluice keeps for its own operators, beside the user's state in the
/// same checkpoint: a window operator's contents, a process function's timers.
///
/// They share a prefix that user state may not use (``RuntimeContext`` refuses it), so a
/// checkpoint entry's state name alone tells who restores it.
enum ReservedStateName {
    static let prefix = "__sluice."
    /// Per key, a window operator's windows and their accumulators.
    static let windows = prefix + "windows"
    /// Per key, a keyed process function's pending event- and processing-time timers.
    static let timers = prefix + "timers"

    /// Throws ``StateError/reservedName(_:)`` when user state would be called `name`.
    static func checkUserState(_ name: String) throws {
        if name.hasPrefix(prefix) { throw StateError.reservedName(name) }
    }
}
