import ArgumentParser
import Foundation
import RdKafka
import Sluice

/// `sluice demo` (the default): starts librdkafka's embedded mock cluster, writes words with
/// event timestamps to a topic partitioned by word, runs the word-count job over it (5-second
/// tumbling event-time windows, Kafka to Kafka), and prints the counts it wrote, checked
/// against counts computed here without the engine. Needs no broker.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Run the word-count job on an embedded Kafka mock cluster.")

    func run() throws {
        let cluster = try MockCluster(brokers: 1)
        let input = "words", output = "word-counts"
        try cluster.createTopic(input, partitions: 3)
        try cluster.createTopic(output, partitions: 3)
        let bootstrap = cluster.bootstrapServers
        print("embedded mock cluster at \(bootstrap), librdkafka \(KafkaProducer.librdkafkaVersion)")

        let text = "the quick brown fox jumps over the lazy dog the fox sleeps and the dog barks at the quick fox"
        let words = text.split(separator: " ").map(String.init)
        let base: Int64 = 1_700_000_000_000
        // Keyed with the Java client's partitioner, so the topic is partitioned by word.
        var producerConfiguration = ProducerConfiguration(bootstrapServers: bootstrap)
        producerConfiguration.client.properties["partitioner"] = "murmur2_random"
        let producer = try KafkaProducer(configuration: producerConfiguration)
        var expected: [String: Int] = [:]
        for (i, word) in words.enumerated() {
            let timestamp = base + Int64(i) * 700
            try producer.send(topic: input, key: Array(word.utf8), value: Array(word.utf8), timestamp: timestamp)
            let windowStart = timestamp - timestamp % 5000
            expected["\(word)\t\(windowStart)", default: 0] += 1
        }
        try producer.flush()
        print("produced \(words.count) words to \(input) (3 partitions, keyed by word)\n")

        let env = try WordCountJob.build(
            bootstrapServers: bootstrap, input: input, output: output, jobName: "sluice-demo", bounded: true)
        // The embedded mock has no CreateTopics API: the job's checkpoint topic is made here.
        for topic in try env.plan().checkpointTopics {
            try cluster.createTopic(topic.name, partitions: Int32(topic.partitionCount))
        }
        print(try env.describe())
        let metrics = try env.execute()
        print("job finished: \(metrics.recordsRead) records read, \(metrics.commits) commits\n")

        let consumer = try KafkaConsumer(configuration: ConsumerConfiguration(bootstrapServers: bootstrap))
        try consumer.assign((0..<3).map { TopicPartitionOffset(output, $0, offset: KafkaOffset.beginning) })
        var counts: [String: Int] = [:]
        let deadline = ContinuousClock.now + .seconds(10)
        while counts.count < expected.count, ContinuousClock.now < deadline {
            for record in try consumer.poll(maxRecords: 100, timeout: .milliseconds(100)) {
                let fields = String(decoding: record.value ?? [], as: UTF8.self).split(separator: "\t")
                counts["\(fields[0])\t\(fields[1])"] = Int(fields[2])
            }
        }
        consumer.close()
        for key in counts.keys.sorted(by: { ($0.split(separator: "\t")[1], $0) < ($1.split(separator: "\t")[1], $1) }) {
            let fields = key.split(separator: "\t")
            let start = (Int64(fields[1])! - base) / 1000
            print("window [\(start) s, \(start + 5) s)  \(fields[0].padding(toLength: 6, withPad: " ", startingAt: 0))  \(counts[key]!)")
        }
        guard counts == expected else {
            throw ValidationError("the job's counts differ from the expected ones: \(counts) vs \(expected)")
        }
        print("\n\(counts.count) window counts read back from \(output); all match counts computed without the engine")
    }
}
