import ArgumentParser
import RdKafka

/// `sluice demo` (the default): starts librdkafka's embedded mock cluster, produces a few
/// keyed records with headers, consumes them back and prints them. Needs no broker.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Round-trip records through an embedded Kafka mock cluster.")

    @Option(help: "How many records to send.")
    var records = 10

    func run() throws {
        let cluster = try MockCluster(brokers: 1)
        let topic = "sluice-demo"
        try cluster.createTopic(topic, partitions: 2)
        print("embedded mock cluster at \(cluster.bootstrapServers), librdkafka \(KafkaProducer.librdkafkaVersion)")

        let producer = try KafkaProducer(configuration: ProducerConfiguration(bootstrapServers: cluster.bootstrapServers))
        let words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliett"]
        for i in 0..<records {
            let word = words[i % words.count]
            try producer.send(
                topic: topic, partition: Int32(i % 2), key: Array("key-\(i)".utf8), value: Array(word.utf8),
                headers: [KafkaHeader("source", "sluice-demo")])
        }
        try producer.flush()
        print("produced \(records) records to \(topic)")

        let consumer = try KafkaConsumer(configuration: ConsumerConfiguration(bootstrapServers: cluster.bootstrapServers))
        try consumer.assign([0, 1].map { TopicPartitionOffset(topic, $0, offset: KafkaOffset.beginning) })
        var seen = 0
        let deadline = ContinuousClock.now + .seconds(10)
        while seen < records, ContinuousClock.now < deadline {
            seen += try consumer.poll(maxRecords: 100, timeout: .milliseconds(100)) { record in
                let key = record.key.map { String(decoding: $0, as: UTF8.self) } ?? "null"
                let value = record.value.map { String(decoding: $0, as: UTF8.self) } ?? "null"
                let headers = record.headers.map { "\($0.key)=\(String(decoding: $0.value ?? [], as: UTF8.self))" }
                print("consumed \(record.topic)[\(record.partition)]@\(record.offset) key=\(key) value=\(value) headers=\(headers)")
            }
        }
        consumer.close()
        guard seen == records else {
            throw ValidationError("consumed \(seen) of \(records) records")
        }
        print("round trip complete: \(seen) records")
    }
}
