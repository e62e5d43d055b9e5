import Sluice
import SluiceKafka

/// Large keyed state: each `set` command stores a value of ``valueSize`` bytes for its key; a
/// `probe` command answers with what its key holds.
public enum LargeStateJob {
    /// The bytes of each stored value.
    public static let valueSize = 1_000

    /// A command for one key: `set` stores a value of ``valueSize`` bytes derived from
    /// (key, version); `probe` emits what is stored.
    public struct Command: Codable, Sendable {
        public var key: String
        public var version: Int
        public var probe: Bool

        public init(key: String, version: Int, probe: Bool) {
            self.key = key
            self.version = version
            self.probe = probe
        }
    }

    /// Keeps the last value per key; answers a probe with `key <tab> version <tab> checksum`.
    final class Store: KeyedProcessFunction {
        private var value: (any ValueState<String>)!
        private var version: (any ValueState<Int>)!

        func open(_ context: RuntimeContext<String>) throws {
            value = try context.state(ValueStateDescriptor<String>("value"))
            version = try context.state(ValueStateDescriptor<Int>("version"))
        }

        func processElement(_ command: Command, context: KeyedProcessContext<String, String>, out: Collector<String>) {
            if command.probe {
                out.collect("\(command.key)\t\(version.value() ?? -1)\t\(LargeStateJob.checksum(value.value() ?? ""))")
            } else {
                value.update(LargeStateJob.payload(key: command.key, version: command.version))
                version.update(command.version)
            }
        }
    }

    /// The value a `set` of `key` at `version` stores.
    public static func payload(key: String, version: Int) -> String {
        let seed = "\(key)/\(version)/"
        return String(String(repeating: seed, count: valueSize / seed.count + 1).prefix(valueSize))
    }

    /// FNV-1a of `text`'s bytes: what a probe answers instead of the whole value.
    public static func checksum(_ text: String) -> UInt64 {
        text.utf8.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }
    }

    /// source (partitioned by key) → keyBy(key) → ``Store`` → sink, its checkpoints kept
    /// incremental for the whole run.
    public static func build(spec: WorkerSpec, configuration: JobConfiguration) throws -> StreamEnvironment {
        var configuration = configuration
        // Keep the chain incremental for the whole test: each checkpoint then shows its own
        // increment's size.
        configuration.fullSnapshotInterval = 1_000
        let kafka = try KafkaRuntime(bootstrapServers: spec.bootstrap, workerID: spec.workerID, consumer: TansuGroupSettings.options)
        let env = StreamEnvironment(jobName: spec.job, runtime: kafka, configuration: configuration)
        env.fromSource(try kafka.source(topics: [spec.input]), deserializer: JSONCodec<Command>(), partitionedBy: \.key)
            .keyBy(\.key)
            .process(Store())
            .sink(to: kafka.sink(topic: spec.output)) { line in SinkRecord(value: Array(line.utf8)) }
        return env
    }
}
