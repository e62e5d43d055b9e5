/// Which records ``Verifier`` reports: what a read_committed consumer sees now, or once every
/// open transaction has ended.
public enum VerifierView: String, Sendable {
    /// Exactly what a read_committed consumer sees now: records of committed transactions and
    /// non-transactional records strictly below each partition's last stable offset (the first
    /// offset of its earliest open transaction). Nothing at or beyond that offset is seen,
    /// committed or not, until the transaction ends.
    case now
    /// What a read_committed consumer sees once every open transaction has ended as aborted:
    /// all records of committed transactions and all non-transactional records, wherever the
    /// last stable offset is; records of aborted and open transactions left out.
    ///
    /// An open transaction that later commits would add its records to what a consumer
    /// eventually sees; this view cannot know that. Only the raw-batch audit (Tansu) has this
    /// view: a share consumer (``BrokerKind/mock216``) sees only ``now``.
    case eventual
}
