/// Receives a function's results. Each result gets the event timestamp of what produced it:
/// the input element's, or the firing timer's or window's.
public final class Collector<Element> {
    @exclusivity(unchecked) var timestamp: Int64 = 0
    @exclusivity(unchecked) var origin = RecordOrigin.unknown
    /// What was collected since the last flush. The elements sit in memory managed by hand: the
    /// operators that collect run unspecialized (they are generic over the user's types), where
    /// every append to an `[Element]` looks up the array type's metadata at run time, and a
    /// window firing a bucket of a million keys collects a million times; a pointer write needs
    /// only `Element`'s value witnesses. The first `timestamps.count` elements are initialized.
    ///
    /// These properties opt out of run-time exclusivity checks (three `swift_beginAccess` calls
    /// per element otherwise): a collector belongs to one operator of one task and is used on
    /// that task's thread only, and ``collect(_:)`` and ``flush(to:)`` call no code that could
    /// reach it before they finish with them.
    @exclusivity(unchecked) private var elements: UnsafeMutablePointer<Element>
    @exclusivity(unchecked) private var capacity = 16
    @exclusivity(unchecked) private var timestamps: [Int64] = []
    @exclusivity(unchecked) private var origins: [RecordOrigin] = []

    init() {
        elements = .allocate(capacity: capacity)
    }

    deinit {
        elements.deinitialize(count: timestamps.count)
        elements.deallocate()
    }

    /// Emits `element` downstream.
    public func collect(_ element: Element) {
        let count = timestamps.count
        if count == capacity {
            let grown = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
            grown.moveInitialize(from: elements, count: count)
            elements.deallocate()
            elements = grown
            capacity *= 2
        }
        (elements + count).initialize(to: element)
        timestamps.append(timestamp)
        origins.append(origin)
    }

    /// Hands what was collected to `next` and starts over.
    func flush(to next: Node<Element>) throws {
        let count = timestamps.count
        guard count > 0 else { return }
        let values = [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
            buffer.baseAddress!.moveInitialize(from: elements, count: count)
            initialized = count
        }
        let output = StreamBatch(values: values, timestamps: timestamps, origins: origins)
        timestamps = []
        origins = []
        try next.push(output)
    }
}
