// On one broker, in one run: RdKafka against kcat producing and consuming N records of
// 100 bytes (each side on its own topic with the same partition count), then a Sluice
// Kafka -> Kafka map job, at-least-once and exactly-once, against a kcat -> kcat pipe whose
// consumer has the job consumer's fetch settings (JobBenchmark.swift). Run through
// scripts/bench-kafka.sh, which starts Tansu and puts librdkafka 2.16 on LD_LIBRARY_PATH for
// both this program and kcat.
//
//   sluice-kafka-bench BOOTSTRAP [RECORDS] [ROUNDS] [all|job]     job: only the map job part

import Foundation
import RdKafka

let arguments = CommandLine.arguments
guard arguments.count >= 2, arguments.count < 5 || ["all", "job"].contains(arguments[4]) else {
    FileHandle.standardError.write(Data("usage: sluice-kafka-bench BOOTSTRAP [RECORDS] [ROUNDS] [all|job]\n".utf8))
    exit(2)
}
let bootstrap = arguments[1]
let recordCount = arguments.count > 2 ? Int(arguments[2])! : 500_000
let rounds = arguments.count > 3 ? Int(arguments[3])! : 3
let partitions: Int32 = 4
let valueSize = 100
let jobOnly = arguments.count > 4 && arguments[4] == "job"

/// RdKafka against kcat, producing and consuming.
func clientBenchmark() throws {
    let admin = try KafkaAdmin(configuration: KafkaConfiguration(bootstrapServers: bootstrap))
    let payloadLine = String(repeating: "x", count: valueSize)
    let inputFile = NSTemporaryDirectory() + "sluice-bench-\(getpid()).txt"
    try (String(repeating: payloadLine + "\n", count: recordCount)).write(toFile: inputFile, atomically: true, encoding: .utf8)

    func produceSwift(topic: String) throws {
        let producer = try KafkaProducer(configuration: ProducerConfiguration(bootstrapServers: bootstrap))
        let value = [UInt8](repeating: UInt8(ascii: "x"), count: valueSize)
        try value.withUnsafeBytes { bytes in
            for _ in 0..<recordCount {
                try producer.send(topic: topic, key: nil, value: bytes)
            }
        }
        try producer.flush(timeout: .seconds(120))
    }

    func consumeSwift(topic: String) throws -> Int {
        let consumer = try KafkaConsumer(configuration: ConsumerConfiguration(bootstrapServers: bootstrap))
        try consumer.assign((0..<partitions).map { TopicPartitionOffset(topic, $0, offset: KafkaOffset.beginning) })
        var count = 0
        var bytes = 0
        while count < recordCount {
            count += try consumer.poll(maxRecords: 10_000, timeout: .milliseconds(100)) { record in
                bytes &+= record.value?.count ?? 0
            }
        }
        consumer.close()
        precondition(bytes == count * valueSize, "consumed \(bytes) bytes for \(count) records")
        return count
    }

    print("librdkafka \(KafkaProducer.librdkafkaVersion), broker \(bootstrap), \(recordCount) records of \(valueSize) bytes, \(partitions) partitions, best of \(rounds)")
    var best = (swiftProduce: Double.infinity, kcatProduce: Double.infinity, swiftConsume: Double.infinity, kcatConsume: Double.infinity)
    for round in 1...rounds {
        let swiftTopic = "bench-swift-\(getpid())-\(round)"
        let kcatTopic = "bench-kcat-\(getpid())-\(round)"
        try admin.createTopic(swiftTopic, partitions: partitions)
        try admin.createTopic(kcatTopic, partitions: partitions)

        // Alternate which side goes first so neither always meets a warmer broker.
        let swiftFirst = round % 2 == 1
        var sp = 0.0, kp = 0.0, sc = 0.0, kc = 0.0
        for side in swiftFirst ? ["swift", "kcat"] : ["kcat", "swift"] {
            if side == "swift" {
                sp = try seconds { try produceSwift(topic: swiftTopic) }
            } else {
                kp = try seconds { try shell("kcat -P -b \(bootstrap) -t \(kcatTopic)", stdin: inputFile) }
            }
        }
        for side in swiftFirst ? ["swift", "kcat"] : ["kcat", "swift"] {
            if side == "swift" {
                sc = try seconds { _ = try consumeSwift(topic: swiftTopic) }
            } else {
                // -c stops after exactly N records, like the Swift side.
                kc = try seconds { try shell("kcat -C -b \(bootstrap) -t \(kcatTopic) -o beginning -c \(recordCount) -q -f '%s\\n'") }
            }
        }
        print(String(format: "round %d: produce swift %.3f s kcat %.3f s | consume swift %.3f s kcat %.3f s", round, sp, kp, sc, kc))
        best = (min(best.swiftProduce, sp), min(best.kcatProduce, kp), min(best.swiftConsume, sc), min(best.kcatConsume, kc))
        try admin.deleteTopic(swiftTopic, ignoreMissing: true)
        try admin.deleteTopic(kcatTopic, ignoreMissing: true)
    }
    let n = Double(recordCount)
    print(String(format: "produce: RdKafka %.0f rec/s, kcat %.0f rec/s, ratio %.2fx kcat", n / best.swiftProduce, n / best.kcatProduce, best.kcatProduce / best.swiftProduce))
    print(String(format: "consume: RdKafka %.0f rec/s, kcat %.0f rec/s, ratio %.2fx kcat", n / best.swiftConsume, n / best.kcatConsume, best.kcatConsume / best.swiftConsume))

    try FileManager.default.removeItem(atPath: inputFile)
}

if !jobOnly { try clientBenchmark() }
try JobBenchmark(bootstrap: bootstrap, recordCount: recordCount, rounds: rounds, partitions: partitions, valueSize: valueSize).run()
