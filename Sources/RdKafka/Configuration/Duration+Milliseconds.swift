extension Duration {
    /// Whole milliseconds, rounded down; what librdkafka's `*.ms` properties and timeouts take.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// Milliseconds clamped to `Int32`, for librdkafka's `int timeout_ms` arguments.
    var timeoutMilliseconds: Int32 {
        Int32(clamping: milliseconds)
    }
}
