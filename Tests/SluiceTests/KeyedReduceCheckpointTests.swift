import Foundation
import XCTest
@testable import Sluice

/// A keyed reduce's running results are keyed state: a checkpoint holds them, and a task
/// restored from it goes on from them.
final class KeyedReduceCheckpointTests: XCTestCase {
    private func reduceTask() throws -> (TaskUnderTest<Event>, SinkCursor<Event>) {
        let env = environment()
        let results = SinkCursor(
            env.fromCollection([Event]()).keyBy { $0.key }
                .reduce { Event(key: $0.key, value: $0.value + $1.value, timestamp: max($0.timestamp, $1.timestamp)) }
                .collect())
        return (try TaskUnderTest(env, after: try env.exchangeNodeID, checkpointing: true), results)
    }

    private func rounds(seed: UInt64) -> [Round<Event>] {
        var random = SplitMix(state: seed)
        return (0..<40).map { index in
            Round(now: Int64(index), elements: (0..<Int.random(in: 0...5, using: &random)).map { _ in
                let event = Event(key: "k\(Int.random(in: 0..<5, using: &random))", value: Int.random(in: -50...100, using: &random),
                                  timestamp: Int64.random(in: 0...10_000, using: &random))
                return (event, event.timestamp)
            }, watermark: nil)
        }
    }

    func testARestoredTaskContinuesTheRunningResultsOfItsCheckpoint() throws {
        let all = rounds(seed: 99)
        var model: [String: Event] = [:]
        func expected(_ round: Round<Event>) -> [Event] {
            round.elements.map { element in
                let event = element.value
                let next = model[event.key].map {
                    Event(key: event.key, value: $0.value + event.value, timestamp: max($0.timestamp, event.timestamp))
                } ?? event
                model[event.key] = next
                return next
            }
        }

        let (first, firstResults) = try reduceTask()
        for round in all[..<20] {
            try first.run(round)
            XCTAssertEqual(firstResults.take(), expected(round))
        }
        let full = try first.checkpoint(changesOnly: false)
        let participant = try XCTUnwrap(first.context.participants.first { $0.checkpointID.hasSuffix(":process") }).checkpointID
        var stored: [String: Event] = [:]
        for entry in full.entries[participant] ?? [] {
            XCTAssertEqual(entry.state, "reduce")
            stored[try PayloadReader.key(entry.key)] = try JSONDecoder().decode(Event.self, from: Data(try XCTUnwrap(entry.payload)))
        }
        XCTAssertEqual(stored, model, "the checkpoint holds every key's running result")

        // Rounds the failed task ran after its checkpoint are lost with it; the model forgets them.
        let modelAtCheckpoint = model
        for round in all[20..<25] { try first.run(round); _ = expected(round) }
        model = modelAtCheckpoint

        let (restored, restoredResults) = try reduceTask()
        try restored.restore([full])
        for round in all[20...] {
            try restored.run(round)
            XCTAssertEqual(restoredResults.take(), expected(round))
        }
    }
}
