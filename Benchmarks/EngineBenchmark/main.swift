// Engine-only throughput on one thread: no Kafka, no serialization.
//   swift run -c release sluice-engine-bench [records]
//   swift run -c release sluice-engine-bench --keys N --records-per-key-per-window M [--records R] [--runs K]
// The second form runs only the keyed 1 s tumbling count on the generator shape "record i has
// key i % N and event time (i / (N*M)) * 1000 ms", checks its outputs, and ends with the line
// `tumbling-count keys=N records-per-key-per-window=M records=R: X.XX M rec/s` (best of K runs, 3
// by default; scripts comparing with Flink parse that line).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Sluice
import Synchronization

struct Count: AggregateFunction {
    func createAccumulator() -> Int { 0 }
    func add(_ value: Int64, to accumulator: inout Int) { accumulator += 1 }
    func result(_ accumulator: Int) -> Int { accumulator }
    func merge(_ first: Int, _ second: Int) -> Int { first + second }
}

func singleThreaded(_ name: String) -> StreamEnvironment {
    var configuration = JobConfiguration()
    configuration.threads = 1
    configuration.parallelism = 1
    configuration.checkpointInterval = .seconds(3600)
    return StreamEnvironment(jobName: name, configuration: configuration)
}

/// Runs `run` `runs` times, checking each run, and returns the best rate in records per second.
func bestRate(records: Int64, runs: Int, run: () throws -> Void) rethrows -> Double {
    let clock = ContinuousClock()
    var best = Duration.seconds(3600)
    for _ in 0..<runs {
        best = min(best, try clock.measure(run))
    }
    let seconds = Double(best.components.seconds) + Double(best.components.attoseconds) / 1e18
    return Double(records) / seconds
}

func measure(_ label: String, records: Int64, expectedOutput: Int, run: () throws -> Int) rethrows {
    let perSecond = try bestRate(records: records, runs: 3) {
        let output = try run()
        precondition(output == expectedOutput, "\(label): expected \(expectedOutput) outputs, got \(output)")
    }
    let millions = (perSecond / 1e4).rounded() / 100
    let perRecord = (1e10 / perSecond).rounded() / 10
    print("\(label): \(records) records, best of 3: \(millions) M records/s, \(perRecord) ns/record")
}

/// The two benchmarks of old: a stateless chain, and 1,000 keys with 1,000 records per
/// millisecond of event time (each 1 s window of a key counts 1,000).
func runDefaultBenchmarks(records: Int64) throws {
    try measure("generator -> map -> filter -> discard", records: records, expectedOutput: Int(records / 2)) {
        let env = singleThreaded("stateless")
        let sink = DiscardSink<Int64>()
        env.generate(count: records) { _, index in index }
            .map { $0 &* 3 }
            .filter { $0 & 1 == 0 }
            .sink(to: sink)
        try env.execute()
        return sink.count
    }

    let keys: Int64 = 1_000
    let windows = (records + 999_999) / 1_000_000
    try measure("generator -> keyBy -> 1 s tumbling count", records: records, expectedOutput: Int(windows * keys)) {
        let env = singleThreaded("keyed-window")
        let sink = DiscardSink<Int>()
        env.generate(count: records, timestamp: { $0 / 1_000 }) { _, index in index }
            .keyBy { $0 % keys }
            .window(TumblingEventTimeWindows.of(seconds: 1))
            .aggregate(Count())
            .sink(to: sink)
        try env.execute()
        return sink.count
    }
}

/// Counts the window results and adds up their counts.
final class CountTotalsSink: SharedSink {
    let name = "count-totals"
    private let results = Atomic<Int>(0)
    private let total = Atomic<Int>(0)

    func write(_ elements: [Int]) {
        results.add(elements.count, ordering: .relaxed)
        total.add(elements.reduce(0, &+), ordering: .relaxed)
    }

    func flush() {}

    var resultCount: Int { results.load(ordering: .relaxed) }
    var countTotal: Int { total.load(ordering: .relaxed) }
}

/// The keyed 1 s tumbling count on the shape "record i has key i % keys, event time
/// (i / (keys * perKey)) * 1000 ms": each window holds keys * perKey records, each key perKey
/// times in round-robin order; the last window may be partial.
func runTumblingCount(keys: Int64, perKey: Int64, records: Int64, runs: Int) throws {
    let perWindow = keys * perKey
    // Computed from the shape alone: window w holds records [w * perWindow, (w + 1) * perWindow)
    // cut at `records`, starting at key 0, so it has min(its record count, keys) distinct keys.
    var expectedResults = 0
    var windowStart: Int64 = 0
    while windowStart < records {
        expectedResults += Int(min(min(perWindow, records - windowStart), keys))
        windowStart += perWindow
    }
    let label = "tumbling-count keys=\(keys) records-per-key-per-window=\(perKey) records=\(records)"
    let perSecond = try bestRate(records: records, runs: runs) {
        let env = singleThreaded("tumbling-count")
        let sink = CountTotalsSink()
        env.generate(count: records, timestamp: { ($0 / perWindow) * 1_000 }) { _, index in index }
            .keyBy { $0 % keys }
            .window(TumblingEventTimeWindows.of(seconds: 1))
            .aggregate(Count())
            .sink(to: sink)
        try env.execute()
        // Bounded input ends event time, so every window fires and together they cover every record.
        guard sink.resultCount == expectedResults, sink.countTotal == Int(records) else {
            fail("\(label): expected \(expectedResults) window results counting \(records) records, got \(sink.resultCount) counting \(sink.countTotal)")
        }
    }
    let hundredths = Int((perSecond / 1e4).rounded())
    let fraction = hundredths % 100
    print("\(label): \(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction) M rec/s")
}

func fail(_ message: String, status: Int32 = 1) -> Never {
    var line = "sluice-engine-bench: error: \(message)\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    exit(status)
}

let usage = "usage: sluice-engine-bench [RECORDS] | --keys N --records-per-key-per-window M [--records R] [--runs K]"

/// The value after each `--flag`, or the single positional record count.
func parseArguments(_ arguments: [String]) -> (flags: [String: Int64], positional: Int64?) {
    var flags: [String: Int64] = [:]
    var positional: Int64?
    var index = 0
    while index < arguments.count {
        let argument = arguments[index]
        if argument.hasPrefix("--") {
            let name = String(argument.dropFirst(2))
            guard ["keys", "records-per-key-per-window", "records", "runs"].contains(name) else {
                fail("unknown option \(argument)\n\(usage)", status: 64)
            }
            guard index + 1 < arguments.count, let value = Int64(arguments[index + 1]), value > 0 else {
                fail("\(argument) takes a positive whole number\n\(usage)", status: 64)
            }
            flags[name] = value
            index += 2
        } else {
            guard positional == nil, let value = Int64(argument), value > 0 else {
                fail("unexpected argument '\(argument)'\n\(usage)", status: 64)
            }
            positional = value
            index += 1
        }
    }
    return (flags, positional)
}

let (flags, positional) = parseArguments(Array(CommandLine.arguments.dropFirst()))
do {
    if flags.isEmpty {
        try runDefaultBenchmarks(records: positional ?? 20_000_000)
    } else {
        try runShapedBenchmark(flags: flags, positional: positional)
    }
} catch {
    fail("\(error)")
}

func runShapedBenchmark(flags: [String: Int64], positional: Int64?) throws {
    guard positional == nil else { fail("give the record count as --records with --keys\n\(usage)", status: 64) }
    guard let keys = flags["keys"], let perKey = flags["records-per-key-per-window"] else {
        fail("--keys and --records-per-key-per-window go together\n\(usage)", status: 64)
    }
    guard keys.multipliedReportingOverflow(by: perKey).overflow == false else {
        fail("--keys times --records-per-key-per-window is too large\n\(usage)", status: 64)
    }
    try runTumblingCount(keys: keys, perKey: perKey, records: flags["records"] ?? 20_000_000, runs: Int(flags["runs"] ?? 3))
}
