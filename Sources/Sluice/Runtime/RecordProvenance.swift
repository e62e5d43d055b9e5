/// The source records a source task polled in the current round, so a failure anywhere
/// downstream can name and dead-letter the record it descends from.
protocol RecordProvenance: AnyObject {
    func describe(index: Int) -> (split: Split, offset: Int64, record: SourceRecord?, text: String)
}

/// One source task's current chunk, as provenance.
final class ChunkProvenance<Element>: RecordProvenance {
    var chunk: SourceBatch<Element>.Chunk

    init(chunk: SourceBatch<Element>.Chunk) {
        self.chunk = chunk
    }

    func describe(index: Int) -> (split: Split, offset: Int64, record: SourceRecord?, text: String) {
        let value = chunk.values[index]
        return (chunk.split, chunk.offsets[index], value as? SourceRecord, String(describing: value))
    }
}

/// Per source task of the job, where its current chunk's provenance lives.
///
/// Each slot is written only by its own source task, at the start of the round's first phase;
/// other tasks read it only in later phases or, for the same task, later in the same phase.
/// The phase barrier orders those accesses, hence the unchecked `Sendable`.
final class ProvenanceRegistry: @unchecked Sendable {
    final class Slot {
        var provenance: RecordProvenance?
    }

    private(set) var slots: [Slot] = []

    func makeSlot() -> (index: Int, slot: Slot) {
        let slot = Slot()
        slots.append(slot)
        return (slots.count - 1, slot)
    }

    func describe(_ origin: RecordOrigin) -> (split: Split, offset: Int64, record: SourceRecord?, text: String)? {
        guard let task = origin.sourceTask, task < slots.count else { return nil }
        return slots[task].provenance?.describe(index: origin.index)
    }
}
