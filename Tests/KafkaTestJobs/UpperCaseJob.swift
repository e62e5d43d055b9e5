import Sluice
import SluiceKafka

/// Each input line upper-cased to the output topic, exactly once; no state, so what a
/// checkpoint holds is input positions and output transactions only.
public enum UpperCaseJob {
    /// source → (counting) deserialize → upper-case → sink.
    public static func build(spec: WorkerSpec, configuration: JobConfiguration, progress: ProgressCounter? = nil) throws -> StreamEnvironment {
        let kafka = try KafkaRuntime(bootstrapServers: spec.bootstrap, workerID: spec.workerID, consumer: TansuGroupSettings.options)
        let env = StreamEnvironment(jobName: spec.job, runtime: kafka, configuration: configuration)
        let source = try kafka.source(topics: [spec.input])
        let lines = if let progress {
            env.fromSource(source, deserializer: ProgressCounter.CountingDeserializer(base: UTF8StringCodec(), counter: progress))
        } else {
            env.fromSource(source, deserializer: UTF8StringCodec())
        }
        lines
            .map { $0.uppercased() }
            .sink(to: kafka.sink(topic: spec.output)) { SinkRecord(key: nil, value: Array($0.utf8)) }
        return env
    }
}
