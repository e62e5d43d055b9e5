import Foundation
import KafkaTestJobs

// `sluice-test-worker <spec as JSON>`: one worker process of a broker-backed test's job (a
// ``WorkerSpec``), started, signalled and read by the test (`WorkerProcess`). Its lines on
// standard output are what the test reads; a failure is one `FAILED …` line and exit status 1.

let arguments = CommandLine.arguments.dropFirst()
guard arguments.count == 1, let json = arguments.first else {
    FileHandle.standardError.write(Data("usage: sluice-test-worker <worker spec as JSON>\n".utf8))
    exit(2)
}
do {
    let spec = try JSONDecoder().decode(WorkerSpec.self, from: Data(json.utf8))
    let progress = spec.reportsProgress ? ProgressCounter() : nil
    switch spec.pipeline {
    case .purchaseTotals:
        try WorkerBody.run(spec: spec, progress: progress) { try PurchaseJob.build(spec: spec, configuration: $0, progress: progress) }
    case .upperCase:
        try WorkerBody.run(spec: spec, progress: progress) { try UpperCaseJob.build(spec: spec, configuration: $0, progress: progress) }
    case .largeState:
        try WorkerBody.run(spec: spec) { try LargeStateJob.build(spec: spec, configuration: $0) }
    case .clickCounts:
        try ClickCountWorker.run(spec: spec)
    case .purchaseTotalsToFiles:
        try WorkerBody.run(spec: spec) { try PurchaseJob.buildIntoFiles(spec: spec, configuration: $0) }
    case .fileLines:
        try WorkerBody.run(spec: spec) { try FileLinesJob.build(spec: spec, configuration: $0) }
    }
} catch {
    WorkerBody.say("FAILED \(error)")
    exit(1)
}
// Ends here without the exit handlers, as the job command does (StreamJob.main): librdkafka's
// threads may still be ending, and the TLS library's exit handler can crash under them.
fflush(nil)
_exit(0)
