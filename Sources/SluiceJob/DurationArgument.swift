import ArgumentParser

/// A duration on the command line: a number and a unit, `ms`, `s`, `m` or `h` (`500ms`, `2s`,
/// `1.5s`, `1m`).
struct DurationArgument: ExpressibleByArgument, Sendable {
    /// The duration.
    let duration: Duration
    /// As written.
    let text: String

    init(_ duration: Duration, text: String) {
        self.duration = duration
        self.text = text
    }

    init?(argument: String) {
        let units: [(suffix: String, milliseconds: Double)] = [("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000)]
        guard let unit = units.first(where: { argument.hasSuffix($0.suffix) && Double(argument.dropLast($0.suffix.count)) != nil }),
              let number = Double(argument.dropLast(unit.suffix.count)), number.isFinite, number > 0 else { return nil }
        let milliseconds = number * unit.milliseconds
        guard milliseconds >= 1, milliseconds <= 86_400_000 else { return nil }
        self.init(.milliseconds(Int64(milliseconds.rounded())), text: argument)
    }

    var defaultValueDescription: String { text }
}
