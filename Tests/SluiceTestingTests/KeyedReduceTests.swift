import Foundation
import XCTest
import Sluice
import SluiceTesting

/// `keyBy(…).reduce(…)` without a window: one running result per input record, kept in the
/// key's value state.
final class KeyedReduceTests: XCTestCase {
    struct Transfer: Codable, Equatable, Sendable {
        var account: String
        var amount: Int
        var count: Int
    }

    func testEveryRecordEmitsItsKeysRunningResultAndTheStateHoldsIt() throws {
        let driver = TestDriver(jobName: "balances") { env, topics in
            env.fromSource(try topics.source(topics: ["transfers"]), deserializer: JSONCodec<Transfer>())
                .keyBy(\.account)
                .reduce { total, next in Transfer(account: total.account, amount: total.amount + next.amount, count: total.count + next.count) }
                .sink(to: topics.sink(topic: "balances"), serializer: JSONCodec<Transfer>())
        }
        defer { _ = try? driver.close() }
        let transfers = try driver.input("transfers", partitions: 3, serializer: JSONCodec<Transfer>())
        let balances = driver.output("balances", deserializer: JSONCodec<Transfer>())

        var random = SplitMix(state: 7)
        var model: [String: Transfer] = [:]
        for index in 0..<150 {
            let account = "acct\(random.next() % 7)"
            let amount = Int(random.next() % 2_000) - 900
            let transfer = Transfer(account: account, amount: amount, count: 1)
            try transfers.pipe(value: transfer, partition: Int32(index % 3))
            let previous = model[account]
            let expected = Transfer(account: account, amount: (previous?.amount ?? 0) + amount, count: (previous?.count ?? 0) + 1)
            model[account] = expected
            XCTAssertEqual(try balances.readValues(), [expected], "record \(index): exactly its key's new running result")
        }
        XCTAssertEqual(Set(try driver.keys(ofOperator: "reduce", as: String.self)), Set(model.keys))
        for (account, expected) in model {
            XCTAssertEqual(
                try driver.valueState(ValueStateDescriptor<Transfer>(KeyedReduce<String, Transfer>.stateName), ofOperator: "reduce", key: account),
                expected, "the value state of \(account)")
        }
    }

    /// A combine that throws follows the bad-input policy and leaves the running result as it was.
    func testAThrowingCombineSkipsTheRecordAndKeepsTheRunningResult() throws {
        struct Negative: Error {}
        var configuration = JobConfiguration()
        configuration.badInputPolicy = .skip
        let driver = TestDriver(jobName: "sums", configuration: configuration) { env, topics in
            env.fromSource(try topics.source(topics: ["in"]), deserializer: JSONCodec<Int>())
                .keyBy { abs($0) % 2 }
                .reduce { sum, next in
                    guard next >= 0 || next % 2 != 0 else { throw Negative() }
                    return sum + next
                }
                .sink(to: topics.sink(topic: "out"), serializer: JSONCodec<Int>())
        }
        defer { _ = try? driver.close() }
        let input = try driver.input("in", serializer: JSONCodec<Int>())
        let out = driver.output("out", deserializer: JSONCodec<Int>())
        for (value, expected) in [(2, [2]), (3, [3]), (4, [6]), (-6, []), (8, [14]), (-1, [2])] {
            try input.pipe(value: value)
            XCTAssertEqual(try out.readValues(), expected, "after \(value)")
        }
        XCTAssertEqual(try XCTUnwrap(try driver.close()).skippedRecords, 1)
    }
}
