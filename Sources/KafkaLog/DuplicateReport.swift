import Foundation

/// The duplicates among the records a read_committed reader sees, by one criterion.
public struct DuplicateReport: Sendable, Equatable {
    /// The criterion.
    public var criterion: DuplicateCriterion
    /// Groups of two or more copies, ordered by their first copy.
    public var groups: [DuplicateGroup]
    /// Records the criterion cannot compare: a null key for ``DuplicateCriterion/key``, a
    /// value that is not a JSON object or lacks the field for ``DuplicateCriterion/field(_:)``.
    public var incomparable: Int
    /// The first of those records.
    public var firstIncomparable: RecordPosition?

    /// The copies beyond the first of each group: how many records a consumer that wanted
    /// each once saw too many.
    public var extraCopies: Int { groups.reduce(0) { $0 + $1.copies.count - 1 } }

    /// Finds the duplicates among `records` (partition and record, in any order).
    public init(records: [(partition: Int32, record: LogRecord)], criterion: DuplicateCriterion) {
        self.criterion = criterion
        var incomparable = 0
        var firstIncomparable: RecordPosition?
        var order: [[UInt8]] = []
        var groups: [[UInt8]: DuplicateGroup] = [:]
        for (partition, record) in records.sorted(by: { ($0.partition, $0.record.offset) < ($1.partition, $1.record.offset) }) {
            let position = RecordPosition(partition: partition, offset: record.offset)
            let identity: [UInt8]
            var group = DuplicateGroup(key: nil, value: nil, fieldValue: nil, copies: [])
            switch criterion {
            case .keyAndValue:
                identity = Self.tagged(record.key) + Self.tagged(record.value)
                group.key = record.key
                group.value = record.value
            case .key:
                guard let key = record.key else {
                    incomparable += 1
                    firstIncomparable = firstIncomparable ?? position
                    continue
                }
                identity = key
                group.key = key
            case .field(let name):
                guard let field = Self.field(name, of: record.value) else {
                    incomparable += 1
                    firstIncomparable = firstIncomparable ?? position
                    continue
                }
                identity = Array(field.utf8)
                group.fieldValue = field
            }
            if groups[identity] == nil {
                order.append(identity)
                groups[identity] = group
            }
            groups[identity]?.copies.append(position)
        }
        self.groups = order.compactMap { groups[$0] }.filter { $0.copies.count > 1 }
        self.incomparable = incomparable
        self.firstIncomparable = firstIncomparable
    }

    /// A length-prefixed encoding that keeps null apart from empty and key bytes apart from
    /// value bytes.
    private static func tagged(_ bytes: [UInt8]?) -> [UInt8] {
        guard let bytes else { return [0] }
        let count = UInt64(bytes.count)
        return [1] + (0..<8).map { UInt8(truncatingIfNeeded: count >> ($0 * 8)) } + bytes
    }

    /// The top-level field `name` of a JSON object value, as compact JSON with sorted keys;
    /// `nil` when the value is not a JSON object or has no such field.
    static func field(_ name: String, of value: [UInt8]?) -> String? {
        guard let value,
              let object = try? JSONSerialization.jsonObject(with: Data(value), options: []) as? [String: Any],
              let field = object[name],
              let data = try? JSONSerialization.data(withJSONObject: field, options: [.fragmentsAllowed, .sortedKeys])
        else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
