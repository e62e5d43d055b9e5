import XCTest
@testable import Sluice

final class TimerQueueTests: XCTestCase {
    /// The queue's semantics in a plain dictionary: pending timers with their sequence numbers;
    /// the next due is the pending one of least (timestamp, sequence).
    private struct Model {
        var pending: [Sluice.Timer<String, Int>: UInt64] = [:]
        var nextSequence: UInt64 = 0

        mutating func register(_ timer: Sluice.Timer<String, Int>) -> Bool {
            guard pending[timer] == nil else { return false }
            pending[timer] = nextSequence
            nextSequence += 1
            return true
        }

        mutating func popDue(atOrBefore time: Int64) -> Sluice.Timer<String, Int>? {
            let due = pending.filter { $0.key.timestamp <= time }.min { ($0.key.timestamp, $0.value) < ($1.key.timestamp, $1.value) }
            if let due { pending[due.key] = nil }
            return due?.key
        }
    }

    /// Random registrations (many of timers already pending), deletions, re-registrations after
    /// deletion, and pops, against the model: every pop returns the model's timer, in timestamp
    /// order with ties in registration order.
    func testRandomOperationsMatchTheModel() {
        var queue = TimerQueue<String, Int>()
        var model = Model()
        var random = SplitMix(state: 31)
        var time: Int64 = 0
        var popped = 0
        for step in 0..<30_000 {
            let timer = Sluice.Timer(
                timestamp: time + Int64(random.next() % 60), key: "k\(random.next() % 25)", namespace: Int(random.next() % 3))
            switch random.next() % 10 {
            case 0..<5:
                XCTAssertEqual(queue.register(timer), model.register(timer), "step \(step)")
            case 5..<7:
                XCTAssertEqual(queue.delete(timer), model.pending.removeValue(forKey: timer) != nil, "step \(step)")
            default:
                time += Int64(random.next() % 8)
                while true {
                    let expected = model.popDue(atOrBefore: time)
                    XCTAssertEqual(queue.popDue(atOrBefore: time), expected, "step \(step)")
                    guard expected != nil else { break }
                    popped += 1
                }
            }
            XCTAssertEqual(queue.count, model.pending.count, "step \(step)")
        }
        XCTAssertGreaterThan(popped, 5_000)
    }
}
