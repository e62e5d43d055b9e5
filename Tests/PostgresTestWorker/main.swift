import Foundation
import KafkaTestJobs
import PostgresTestJobs

// `sluice-postgres-test-worker <spec as JSON>`: one worker process of a PostgreSQL sink test's
// job (``PurchaseTotalsToPostgres``), started, signalled and read by the test as
// `sluice-test-worker` is; kept apart so that only PostgreSQL's tests link PostgresNIO.

let arguments = CommandLine.arguments.dropFirst()
guard arguments.count == 1, let json = arguments.first else {
    FileHandle.standardError.write(Data("usage: sluice-postgres-test-worker <worker spec as JSON>\n".utf8))
    exit(2)
}
do {
    let spec = try JSONDecoder().decode(WorkerSpec.self, from: Data(json.utf8))
    try WorkerBody.run(spec: spec) { try PurchaseTotalsToPostgres.build(spec: spec, configuration: $0) }
} catch {
    WorkerBody.say("FAILED \(error)")
    exit(1)
}
// Ends here without the exit handlers, as the job command does (StreamJob.main): librdkafka's
// threads may still be ending, and the TLS library's exit handler can crash under them.
fflush(nil)
_exit(0)
