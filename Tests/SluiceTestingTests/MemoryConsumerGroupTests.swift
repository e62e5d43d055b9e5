import XCTest
import Sluice
import SluiceTesting

/// The in-memory consumer group as a cooperative one: a joining member gets only free splits at
/// once; splits another member owns are revoked from it first and assigned once it let them
/// go; the assignment is even and moves as few splits as it can; a member whose session expired
/// loses its splits to the others at once and rejoins once it let them go; a member that left
/// or died leaves its splits to the others.
final class MemoryConsumerGroupTests: XCTestCase {
    private func split(_ topic: String, _ partition: Int32) -> Split { Split(topic: topic, partition: partition) }

    private func group() throws -> MemoryConsumerGroup {
        let broker = MemoryBroker()
        try broker.createTopic("in", partitions: 3)
        try broker.createTopic("job-1-repartition", partitions: 3)
        try broker.createTopic("other", partitions: 5)
        return broker.group("job")
    }

    func testAJoiningMemberGetsSplitsOnlyAfterTheirOwnerLetThemGo() throws {
        let group = try group()
        let topics = ["in", "job-1-repartition"]
        group.join("a", topics: topics)
        let all = (0..<3).flatMap { [split("in", $0), split("job-1-repartition", $0)] }.sorted()
        XCTAssertEqual(group.takeChanges(for: "a"), [.assigned(all)], "the first member gets every split of its topics")
        XCTAssertEqual(group.takeChanges(for: "a"), [], "taken once")
        let generation = group.generation

        group.join("b", topics: topics)
        XCTAssertGreaterThan(group.generation, generation)
        let moving = [split("in", 2), split("job-1-repartition", 1), split("job-1-repartition", 2)]
        XCTAssertEqual(group.takeChanges(for: "a"), [.revoked(moving)], "the same partitions of both topics move together, as far as they can")
        XCTAssertEqual(group.takeChanges(for: "b"), [], "nothing is assigned while its owner still has it")
        XCTAssertEqual(group.assignment(of: "a"), all, "revoked splits stay the owner's until it lets them go")

        group.release([moving[0]], by: "a")
        XCTAssertEqual(group.takeChanges(for: "b"), [.assigned([moving[0]])])
        group.release(Array(moving[1...]), by: "a")
        XCTAssertEqual(group.takeChanges(for: "b"), [.assigned(Array(moving[1...]))])
        XCTAssertEqual(group.assignment(of: "a").count, 3)
        XCTAssertEqual(group.assignment(of: "b"), moving)
        XCTAssertEqual(group.members, ["a", "b"])

        // A third member: 2 each, taken from both, nobody's kept splits move.
        group.join("c", topics: topics)
        let fromA = group.takeChanges(for: "a"), fromB = group.takeChanges(for: "b")
        XCTAssertEqual(fromA.flatMap(\.splits).count, 1)
        XCTAssertEqual(fromB.flatMap(\.splits).count, 1)
        group.release(fromA.flatMap(\.splits), by: "a")
        group.release(fromB.flatMap(\.splits), by: "b")
        XCTAssertEqual(group.takeChanges(for: "c").flatMap(\.splits).sorted(), (fromA + fromB).flatMap(\.splits).sorted())
        XCTAssertEqual([group.assignment(of: "a").count, group.assignment(of: "b").count, group.assignment(of: "c").count], [2, 2, 2])
    }

    func testAMemberThatLeavesOrDiesLeavesItsSplitsToTheOthers() throws {
        let group = try group()
        group.join("a", topics: ["other"])
        XCTAssertEqual(group.takeChanges(for: "a").flatMap(\.splits).count, 5)
        group.join("b", topics: ["other"])
        let revoked = group.takeChanges(for: "a").flatMap(\.splits)
        XCTAssertEqual(revoked.count, 2)
        group.release(revoked, by: "a")
        XCTAssertEqual(group.takeChanges(for: "b"), [.assigned(revoked)])
        XCTAssertEqual(group.assignment(of: "a").count, 3)

        // At the end of its run a member lets everything go, then leaves: nothing comes back to it.
        let kept = group.assignment(of: "a")
        group.release(kept, by: "a")
        XCTAssertEqual(group.takeChanges(for: "a"), [])
        group.leave("a")
        XCTAssertEqual(group.takeChanges(for: "b"), [.assigned(kept)])
        XCTAssertEqual(group.assignment(of: "b").count, 5)

        // A member whose process died (its session ended) is gone with its splits.
        group.join("c", topics: ["other"])
        group.release(group.takeChanges(for: "b").flatMap(\.splits), by: "b")
        let ofC = group.takeChanges(for: "c").flatMap(\.splits)
        XCTAssertEqual(ofC.count, 2)
        group.leave("c")
        XCTAssertEqual(group.takeChanges(for: "b"), [.assigned(ofC)])
        XCTAssertEqual(group.members, ["b"])
    }

    func testAnExpiredSessionLosesTheSplitsToTheOthersAndTheMemberRejoinsOnceItLetThemGo() throws {
        let group = try group()
        group.join("a", topics: ["other"])
        _ = group.takeChanges(for: "a")
        group.join("b", topics: ["other"])
        group.release(group.takeChanges(for: "a").flatMap(\.splits), by: "a")
        _ = group.takeChanges(for: "b")
        let ofA = group.assignment(of: "a")

        group.expireSession(of: "a")
        XCTAssertEqual(group.takeChanges(for: "a"), [.lost(ofA)])
        XCTAssertTrue(group.hasLostSplits("a"))
        XCTAssertEqual(group.assignment(of: "a"), [], "taken away at once")
        XCTAssertEqual(group.takeChanges(for: "b"), [.assigned(ofA)], "and given to the others at once")

        group.release(ofA, by: "a")
        XCTAssertFalse(group.hasLostSplits("a"))
        let back = group.takeChanges(for: "b")
        XCTAssertEqual(back.map { if case .revoked = $0 { true } else { false } }, [true], "rejoined: the other gives some back")
        group.release(back.flatMap(\.splits), by: "b")
        XCTAssertEqual(group.takeChanges(for: "a").flatMap(\.splits), back.flatMap(\.splits))
        XCTAssertEqual(group.assignment(of: "a").count + group.assignment(of: "b").count, 5)
        XCTAssertEqual(abs(group.assignment(of: "a").count - group.assignment(of: "b").count), 1)
    }
}
