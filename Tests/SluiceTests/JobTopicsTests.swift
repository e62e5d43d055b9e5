import XCTest
@testable import Sluice

/// ``JobTopics``: the names it gives, and that it recognises exactly those names, not another
/// job's whose name starts alike nor a spelling it never writes.
final class JobTopicsTests: XCTestCase {
    func testNamesAndTheirInverse() {
        let topics = JobTopics(job: "word-count")
        XCTAssertEqual(topics.repartition(stage: 1), "word-count-1-repartition")
        XCTAssertEqual(topics.checkpoints(stage: 0), "word-count-0-checkpoints")
        let task = TaskID(stage: 2, partition: 5)
        XCTAssertEqual(topics.checkpointSplit(of: task), Split(topic: "word-count-2-checkpoints", partition: 5))
        XCTAssertEqual(topics.task(ofCheckpointSplit: topics.checkpointSplit(of: task)), task)
        XCTAssertTrue(topics.stage(of: "word-count-1-repartition")! == (1, .repartition))
        XCTAssertTrue(topics.stage(of: "word-count-12-checkpoints")! == (12, .checkpoints))
    }

    func testOtherTopicsAreNotTheJobs() {
        let topics = JobTopics(job: "word")
        for topic in [
            "word-count-1-repartition", "word-count-0-checkpoints", // job "word-count", not "word"
            "word--1-checkpoints", "word-+1-checkpoints", "word-01-checkpoints", "word--checkpoints",
            "word-1-checkpoint", "word-1-repartition-dlq", "sentences", "word-checkpoints",
        ] {
            XCTAssertNil(topics.stage(of: topic), topic)
        }
        XCTAssertNil(topics.task(ofCheckpointSplit: Split(topic: "word-1-repartition", partition: 0)), "a repartition topic holds no checkpoints")
        XCTAssertEqual(JobTopics(job: "word-count").task(ofCheckpointSplit: Split(topic: "word-count-0-checkpoints", partition: 3)),
                       TaskID(stage: 0, partition: 3))
    }

    func testThePlanNamesItsTopicsThroughIt() throws {
        let env = environment("plan-names")
        env.fromSource(ScriptedSource(name: "in", partitions: 2, inProcess: false, polls: []), deserializer: UTF8StringCodec())
            .keyBy(\.self)
            .window(TumblingEventTimeWindows.of(seconds: 1))
            .reduce { first, _ in first }
            .print()
        let plan = try env.plan()
        let topics = JobTopics(job: "plan-names")
        XCTAssertEqual(plan.repartitionTopics, [topics.repartition(stage: 1)])
        XCTAssertEqual(plan.checkpointTopics.map(\.name), [topics.checkpoints(stage: 0), topics.checkpoints(stage: 1)])
    }
}
