import Foundation
import KafkaTestJobs
import Sluice
import Synchronization

/// A sink whose writers SIGKILL the process in the `crashAt`-th phase two (counted over the
/// process's writers) that has staged work to finish: after the job's Kafka transaction
/// committed the checkpoint, before the wrapped writer's `COMMIT PREPARED`. The committed
/// manifest then names a transaction still prepared, which the next owner of the task must
/// commit.
final class CrashingSink<Base: Sink>: Sink {
    typealias Element = Base.Element
    let base: Base
    let crashAt: Int
    let commits = Atomic<Int>(0)

    init(base: Base, crashAt: Int) {
        self.base = base
        self.crashAt = crashAt
    }

    var name: String { base.name }

    func makeWriter(for task: SinkTaskContext) throws -> any SinkWriter<Base.Element> {
        CrashingWriter(base: try base.makeWriter(for: task), sink: self)
    }

    func close() { base.close() }
}

final class CrashingWriter<Base: Sink>: SinkWriter {
    typealias Element = Base.Element
    let base: any SinkWriter<Base.Element>
    let sink: CrashingSink<Base>

    init(base: any SinkWriter<Base.Element>, sink: CrashingSink<Base>) {
        self.base = base
        self.sink = sink
    }

    var participantID: String { base.participantID }
    func write(_ elements: [Element]) throws { try base.write(elements) }
    func prepare(_ attempt: CheckpointAttempt) throws { try base.prepare(attempt) }
    func preCommit(_ attempt: CheckpointAttempt) throws -> [UInt8]? { try base.preCommit(attempt) }
    func abort(_ attempt: CheckpointAttempt) { base.abort(attempt) }
    func recover(_ recovery: TaskRecovery) throws { try base.recover(recovery) }

    func commit(_ attempt: CheckpointAttempt, preCommitted: [UInt8]?) throws {
        if let preCommitted, sink.commits.add(1, ordering: .relaxed).newValue == sink.crashAt {
            WorkerBody.say("CRASH at commit-prepared #\(sink.crashAt) \(String(decoding: preCommitted, as: UTF8.self))")
            kill(getpid(), SIGKILL)
        }
        try base.commit(attempt, preCommitted: preCommitted)
    }
}
