/// Which polled record an element descends from: the source task that read it and its index
/// in that task's current batch.
///
/// Packed in one word so carrying it costs one array write per element; elements that no
/// single record caused (window results, timer output) carry ``unknown``.
struct RecordOrigin: Hashable, Sendable {
    let packed: Int64

    static let unknown = RecordOrigin(packed: -1)

    init(packed: Int64) {
        self.packed = packed
    }

    init(sourceTask: Int, index: Int) {
        packed = Int64(sourceTask) << 32 | Int64(index)
    }

    var sourceTask: Int? { packed < 0 ? nil : Int(packed >> 32) }

    var index: Int { Int(packed & 0xffff_ffff) }
}
