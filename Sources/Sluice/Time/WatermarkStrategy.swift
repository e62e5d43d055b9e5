/// How a source (or ``DataStream/assignTimestampsAndWatermarks(_:)``) derives event time and
/// watermarks, named after Flink's `WatermarkStrategy`.
///
/// Watermarks are generated per split: each source task tracks the highest timestamp it has
/// seen and declares `highest - outOfOrderness - 1` complete. Downstream, an exchange combines
/// them by taking the minimum over splits that are not idle.
public struct WatermarkStrategy<Element>: Sendable {
    let outOfOrdernessMilliseconds: Int64
    let timestampAssigner: (@Sendable (Element, Int64) -> Int64)?
    let idleTimeoutMilliseconds: Int64?

    init(
        outOfOrderness: Int64, assigner: (@Sendable (Element, Int64) -> Int64)?, idleTimeout: Int64?
    ) {
        precondition(outOfOrderness >= 0, "out-of-orderness cannot be negative")
        outOfOrdernessMilliseconds = outOfOrderness
        timestampAssigner = assigner
        idleTimeoutMilliseconds = idleTimeout
    }

    /// Records may arrive up to `maxOutOfOrderness` later than a record with a higher timestamp.
    public static func forBoundedOutOfOrderness(_ maxOutOfOrderness: Duration) -> WatermarkStrategy {
        WatermarkStrategy(outOfOrderness: maxOutOfOrderness.milliseconds, assigner: nil, idleTimeout: nil)
    }

    /// Timestamps never decrease inside a split.
    public static func forMonotonousTimestamps() -> WatermarkStrategy {
        WatermarkStrategy(outOfOrderness: 0, assigner: nil, idleTimeout: nil)
    }

    /// Takes event time from the element instead of the record timestamp; the closure receives
    /// the element and the record's own timestamp.
    public func withTimestampAssigner(_ assigner: @escaping @Sendable (Element, Int64) -> Int64) -> WatermarkStrategy {
        WatermarkStrategy(outOfOrderness: outOfOrdernessMilliseconds, assigner: assigner, idleTimeout: idleTimeoutMilliseconds)
    }

    /// A split that delivers nothing for `timeout` of processing time stops holding back the
    /// combined watermark until it delivers again.
    public func withIdleness(_ timeout: Duration) -> WatermarkStrategy {
        WatermarkStrategy(outOfOrderness: outOfOrdernessMilliseconds, assigner: timestampAssigner, idleTimeout: timeout.milliseconds)
    }
}

extension Duration {
    /// Whole milliseconds, the unit of Sluice's event and processing time.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
