/// What ``Verifier/audit(broker:bootstrap:topic:view:expect:timeout:)`` read from a topic.
public struct VerifierReport: Sendable, Equatable {
    /// The view the records are of.
    public var view: VerifierView
    /// The records of ``view``, sorted by partition and offset.
    public var records: [CommittedRecord]
    /// The audit's counts and offsets, or `nil` on ``BrokerKind/mock216``, whose share
    /// consumer sees records only.
    public var stats: AuditStats?
}
