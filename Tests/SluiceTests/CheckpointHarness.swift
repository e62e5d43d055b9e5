import XCTest
@testable import Sluice

/// What one checkpoint of a task captured, kept as a checkpoint driver would keep it: per
/// participant, its scalar state and its keyed entries.
struct TaskCheckpoint {
    var changesOnly: Bool
    var scalars: [String: [UInt8]] = [:]
    var entries: [String: [KeyedStateEntry]] = [:]

    /// The entries of every participant.
    var allEntries: [KeyedStateEntry] { entries.values.flatMap { $0 } }
}

/// One round of input, as the runtime drives a task: processing time first, then elements, then
/// the watermark.
struct Round<Element> {
    var now: Int64
    var elements: [(value: Element, timestamp: Int64)]
    var watermark: Int64?
}

/// One task's operator chain, built from a job's graph downstream of one node with its own
/// ``TaskContext``, and driven by hand the way the runtime and the checkpoint driver drive it.
final class TaskUnderTest<Input> {
    let context: TaskContext
    let head: Node<Input>

    init(_ env: StreamEnvironment, after nodeID: Int, checkpointing: Bool) throws {
        context = TaskContext(
            taskID: TaskID(stage: 1, partition: 0), failures: FailureHandler(policy: .fail, provenance: ProvenanceRegistry()),
            stateBackend: MemoryStateBackend(), checkpointing: checkpointing)
        head = try ChainBuilder(graph: env.graph, context: context, exchanges: [:]).output(of: nodeID, Input.self)
    }

    func run(_ round: Round<Input>) throws {
        try head.onProcessingTime(round.now)
        if !round.elements.isEmpty {
            try head.push(StreamBatch(values: round.elements.map(\.value), timestamps: round.elements.map(\.timestamp)))
        }
        if let watermark = round.watermark { try head.onWatermark(watermark, idle: false) }
    }

    func participant(_ id: String) throws -> any CheckpointParticipant {
        try XCTUnwrap(context.participants.first { $0.checkpointID == id }, "no participant \(id)")
    }

    /// Asks every participant for its scalar state, then its keyed entries, as a checkpoint does.
    func checkpoint(changesOnly: Bool) throws -> TaskCheckpoint {
        var checkpoint = TaskCheckpoint(changesOnly: changesOnly)
        for participant in context.participants {
            checkpoint.scalars[participant.checkpointID] = try participant.snapshotScalar()
            var entries: [KeyedStateEntry] = []
            try participant.snapshotKeyed(changesOnly: changesOnly) { entries.append($0) }
            checkpoint.entries[participant.checkpointID] = entries
        }
        return checkpoint
    }

    /// Restores the last checkpoint of `chain` (a full checkpoint and the increments after it)
    /// in the order the checkpoint driver uses: the scalars of the last one, every keyed entry in
    /// order, then `finishRestore`.
    func restore(_ chain: [TaskCheckpoint]) throws {
        XCTAssertFalse(chain.first?.changesOnly ?? true, "a chain starts with a full checkpoint")
        let last = try XCTUnwrap(chain.last)
        for participant in context.participants {
            if let scalar = last.scalars[participant.checkpointID] { try participant.restoreScalar(scalar) }
        }
        for checkpoint in chain {
            for participant in context.participants {
                for entry in checkpoint.entries[participant.checkpointID] ?? [] { try participant.restoreKeyed(entry) }
            }
        }
        for participant in context.participants { try participant.finishRestore() }
    }
}

extension StreamEnvironment {
    /// The node of the job's (only) `keyBy` exchange, whose consumers form the keyed stage.
    var exchangeNodeID: Int {
        get throws {
            try XCTUnwrap(graph.nodes.first { if case .exchange = $0.kind { true } else { false } }?.id)
        }
    }
}

/// What `sink` received since the last call.
final class SinkCursor<Element> {
    private let sink: CollectSink<Element>
    private var seen = 0

    init(_ sink: CollectSink<Element>) {
        self.sink = sink
    }

    func take() -> [Element] {
        let all = sink.elements
        defer { seen = all.count }
        return Array(all[seen...])
    }
}
