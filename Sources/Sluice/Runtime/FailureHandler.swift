/// Applies the job's ``BadInputPolicy`` inside one task, and counts what it skipped and
/// dead-lettered. Only the task's own thread touches it.
final class FailureHandler {
    private let policy: BadInputPolicy
    private let provenance: ProvenanceRegistry
    /// The task's writer of the dead-letter sink, which joins the task's checkpoints.
    let deadLetters: (any SinkWriter<SinkRecord>)?
    private(set) var skipped = 0
    private(set) var deadLettered = 0

    /// - Parameter deadLetters: the task's writer of the policy's dead-letter sink, if it has one.
    init(policy: BadInputPolicy, provenance: ProvenanceRegistry, deadLetters: (any SinkWriter<SinkRecord>)? = nil) {
        self.policy = policy
        self.provenance = provenance
        self.deadLetters = deadLetters
    }

    /// Handles one failed element; returns normally when the policy lets the job go on.
    func handle(_ error: any Error, origin: RecordOrigin, operatorName: String) throws {
        let source = provenance.describe(origin)
        switch policy {
        case .fail:
            throw RecordFailure(
                topic: source?.split.topic, partition: source?.split.partition, offset: source?.offset,
                operatorName: operatorName, underlying: error)
        case .skip:
            skipped += 1
        case .deadLetter(let sink):
            guard let source else {
                // Nothing original to send: window and timer output has no source bytes.
                skipped += 1
                return
            }
            var headers = source.record?.headers ?? []
            headers.append(RecordHeader(key: DeadLetterHeader.topic, string: source.split.topic))
            headers.append(RecordHeader(key: DeadLetterHeader.partition, string: String(source.split.partition)))
            headers.append(RecordHeader(key: DeadLetterHeader.offset, string: String(source.offset)))
            headers.append(RecordHeader(key: DeadLetterHeader.error, string: "\(operatorName): \(error)"))
            let record = SinkRecord(
                key: source.record?.key, value: source.record.map(\.value) ?? Array(source.text.utf8),
                headers: headers, timestamp: source.record?.timestamp)
            do {
                guard let deadLetters else {
                    throw JobError.unsupported("\(operatorName) has no writer of the dead-letter sink \(sink.name) in this task")
                }
                try deadLetters.write([record])
            } catch {
                throw JobError.connectorFailed("dead-letter sink \(sink.name)", underlying: error)
            }
            deadLettered += 1
        }
    }
}
