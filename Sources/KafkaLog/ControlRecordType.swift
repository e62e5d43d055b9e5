/// What a control batch's record says, from its key (int16 version, int16 type).
public enum ControlRecordType: Sendable, Equatable {
    /// Type 0: the producer's open transaction in this partition is aborted.
    case abort
    /// Type 1: the producer's open transaction in this partition is committed.
    case commit
    /// Any other type (Kafka has more, such as leader-change markers); it ends no transaction.
    case other(Int16)

    /// The type named by a control record's key; `nil` when the key is shorter than 4 bytes.
    init?(key: [UInt8]?) {
        guard let key, key.count >= 4 else { return nil }
        switch Int16(bitPattern: UInt16(key[2]) << 8 | UInt16(key[3])) {
        case 0: self = .abort
        case 1: self = .commit
        case let type: self = .other(type)
        }
    }
}
