// Dead letters: JSON temperature readings from a topic, converted to Fahrenheit and written to
// a topic as "sensor<TAB>fahrenheit"; a record that is not a reading (malformed JSON, a missing
// field) goes to the dead-letter topic with its original key, value and headers plus
// sluice.dlq.topic, .partition, .offset and .error, and the job goes on. Exactly once by default.
//
//   dead-letters run --bootstrap HOST:PORT [--input readings] [--output fahrenheit] [--dead-letters readings-dlq]
//
// `scripts/example.sh dead-letters` runs it on a Tansu broker and prints the dead letters.
import Sluice
import SluiceJob

@main
struct DeadLetters: StreamJob {
    static let name = "dead-letters"
    static let abstract = "Celsius readings to Fahrenheit; records that are not readings go to a dead-letter topic."

    @Option(help: "The topic of JSON readings. Env: SLUICE_INPUT.")
    var input = "readings"

    @Option(help: "The topic of converted readings, sensor<TAB>fahrenheit. Env: SLUICE_OUTPUT.")
    var output = "fahrenheit"

    @Option(help: "The dead-letter topic. Env: SLUICE_DEAD_LETTERS.")
    var deadLetters = "readings-dlq"

    func build(_ job: JobContext) throws {
        job.environment.configuration.badInputPolicy = .deadLetter(job.sink(topic: deadLetters))
        job.environment.fromSource(try job.source(topics: [input]), deserializer: JSONCodec<Reading>())
            .map { reading in (reading.sensor, reading.celsius * 9 / 5 + 32) }
            .sink(to: job.sink(topic: output)) { sensor, fahrenheit in
                SinkRecord(key: Array(sensor.utf8), value: Array("\(sensor)\t\(fahrenheit)".utf8))
            }
    }
}
