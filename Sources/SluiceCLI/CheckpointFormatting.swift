import Foundation
import Sluice
import SluiceKafka

/// How `sluice checkpoints` writes values for people: task names, sizes, ages, ids.
enum CheckpointFormatting {
    /// `stage.partition`, as `--task` takes it.
    static func task(_ task: TaskID) -> String {
        "\(task.stage).\(task.partition)"
    }

    /// `full` or `incremental`.
    static func kind(_ manifest: CheckpointManifest) -> String {
        manifest.isFull ? "full" : "incremental"
    }

    /// `1 piece`, `3 pieces`.
    static func count(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }

    /// Bytes in binary units: `512 B`, `1.5 KiB`, `12.0 MiB`.
    static func bytes(_ count: UInt64) -> String {
        guard count >= 1024 else { return "\(count) B" }
        let units = ["KiB", "MiB", "GiB", "TiB"]
        var value = Double(count) / 1024
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return String(format: "%.1f", value) + " " + units[unit]
    }

    /// An age in its two largest units: `42s`, `3m07s`, `2h05m`, `4d03h`. Negative when the
    /// writer's clock runs ahead of this machine's, which is shown rather than hidden.
    static func age(_ age: Duration) -> String {
        let sign = age < .zero ? "-" : ""
        // The magnitude, so that no value of a damaged manifest can overflow.
        let seconds = age.components.seconds.magnitude
        func two(_ value: UInt64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        switch seconds {
        case ..<60: return "\(sign)\(seconds)s"
        case ..<3600: return "\(sign)\(seconds / 60)m\(two(seconds % 60))s"
        case ..<86400: return "\(sign)\(seconds / 3600)h\(two(seconds % 3600 / 60))m"
        default: return "\(sign)\(seconds / 86400)d\(two(seconds % 86400 / 3600))h"
        }
    }

    /// A 64-bit id (chain, incarnation) in hex: random ids read better so, and stay exact in
    /// JSON readers that hold numbers as doubles.
    static func id(_ value: UInt64) -> String {
        String(format: "%016llx", value)
    }

    /// A checkpoint's time, UTC, to the millisecond.
    static func timestamp(_ milliseconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }

    /// The group's committed input offset and whether it agrees with the checkpoint:
    /// `201 ok`, `180 MISMATCH`, `none MISMATCH`; `180 unchecked` when a confirmation proves a
    /// newer checkpoint than the group's pointer names (the input offset lags with the pointer,
    /// and a restore checks nothing); `-` when the checkpoint names no input position.
    static func committedInput(_ summary: TaskCheckpointSummary) -> String {
        guard summary.manifest?.inputPosition != nil else { return "-" }
        let offset = summary.committedInputOffset.map(String.init) ?? "none"
        guard let agrees = summary.inputAgrees else { return "\(offset) unchecked" }
        return "\(offset) \(agrees ? "ok" : "MISMATCH")"
    }
}
