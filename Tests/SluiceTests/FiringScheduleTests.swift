import XCTest
@testable import Sluice

final class FiringScheduleTests: XCTestCase {
    /// Random adds at random times and firings up to random times, against a list of
    /// (time, slot) pairs in the order they were added: each firing hands over the due pairs by
    /// time, each time's pairs in the order added.
    func testFiresByTimeThenInTheOrderAdded() {
        var schedule = FiringSchedule()
        var model: [(time: Int64, slot: Int)] = []
        var random = SplitMix(state: 33)
        var fired = 0
        var now: Int64 = 0
        for step in 0..<20_000 {
            if random.next() % 5 > 0 {
                // Runs of one time, as when many keys share a window end.
                let time = now + Int64(random.next() % 30)
                for _ in 0..<Int(random.next() % 6) {
                    let slot = Int(random.next() % 1_000)
                    schedule.add(slot, at: time)
                    model.append((time, slot))
                }
            } else {
                now += Int64(random.next() % 10)
                let due = model.enumerated().filter { $0.element.time <= now }
                    .sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
                model.removeAll { $0.time <= now }
                var handed: [(time: Int64, slot: Int)] = []
                let any = schedule.fireDue(atOrBefore: now) { handed.append(($0, $1)) }
                XCTAssertEqual(any, !due.isEmpty, "step \(step)")
                XCTAssertEqual(handed.map(\.time), due.map(\.time), "step \(step)")
                XCTAssertEqual(handed.map(\.slot), due.map(\.slot), "step \(step)")
                fired += due.count
            }
        }
        XCTAssertGreaterThan(fired, 10_000)
        XCTAssertEqual(schedule.isEmpty, model.isEmpty)
    }

    /// When the body throws, the slot it was given is gone and every later one stays due, in order.
    func testAThrowingBodyLeavesTheRestDue() {
        var schedule = FiringSchedule()
        for slot in 0..<5 { schedule.add(slot, at: 10) }
        for slot in 5..<8 { schedule.add(slot, at: 20) }
        var handed: [Int] = []
        XCTAssertThrowsError(try schedule.fireDue(atOrBefore: 30) { _, slot in
            handed.append(slot)
            if slot == 2 { throw TestFailure(reason: "slot 2") }
        })
        XCTAssertEqual(handed, [0, 1, 2])
        schedule.add(8, at: 10)
        handed = []
        schedule.fireDue(atOrBefore: 30) { _, slot in handed.append(slot) }
        XCTAssertEqual(handed, [3, 4, 8, 5, 6, 7])
        XCTAssertTrue(schedule.isEmpty)
    }
}
