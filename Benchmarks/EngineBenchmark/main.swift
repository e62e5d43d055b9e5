// Engine-only throughput on one thread: no Kafka, no serialization.
//   swift run -c release --scratch-path .build-engine sluice-engine-bench [records]
import Sluice

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

func measure(_ label: String, records: Int64, expectedOutput: Int, run: () throws -> Int) rethrows {
    let clock = ContinuousClock()
    var best = Duration.seconds(3600)
    for _ in 0..<3 {
        var output = 0
        let elapsed = try clock.measure { output = try run() }
        precondition(output == expectedOutput, "\(label): expected \(expectedOutput) outputs, got \(output)")
        best = min(best, elapsed)
    }
    let seconds = Double(best.components.seconds) + Double(best.components.attoseconds) / 1e18
    let perSecond = Double(records) / seconds
    let nanoseconds = seconds * 1e9 / Double(records)
    let millions = (perSecond / 1e4).rounded() / 100
    let perRecord = (nanoseconds * 10).rounded() / 10
    print("\(label): \(records) records, best of 3: \(millions) M records/s, \(perRecord) ns/record")
}

let records = CommandLine.arguments.count > 1 ? Int64(CommandLine.arguments[1])! : 20_000_000

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

// 1,000 keys, 1,000 records per millisecond of event time: each 1 s window of a key counts 1,000.
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
