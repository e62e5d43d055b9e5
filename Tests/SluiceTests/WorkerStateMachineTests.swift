import XCTest
@testable import Sluice

/// The worker's lifecycle decisions, event by event, without Kafka or threads: when it
/// checkpoints, how it restarts and gives up, what it does with each kind of assignment change,
/// and when it holds commits after it may have lost its splits.
final class WorkerStateMachineTests: XCTestCase {
    private let start = ContinuousClock.now

    private func machine(_ guarantee: DeliveryGuarantee = .exactlyOnce, interval: Duration = .seconds(1),
                         restarts: RestartStrategy = .fixedDelay(delay: .seconds(2), maxAttempts: 3),
                         session: Duration? = .seconds(10)) -> WorkerStateMachine {
        var machine = WorkerStateMachine(settings: .init(
            guarantee: guarantee, checkpointInterval: interval, restartStrategy: restarts, sessionTimeout: session))
        machine.joined(at: start)
        return machine
    }

    func testRoundsCheckpointOnceTheIntervalPassed() {
        var machine = machine()
        XCTAssertEqual(machine.state, .running)
        XCTAssertEqual(machine.roundEnded(at: start + .milliseconds(999), stopRequested: false, inputsEnded: false, drainingInput: false),
                       .nextRound)
        XCTAssertEqual(machine.roundEnded(at: start + .seconds(1), stopRequested: false, inputsEnded: false, drainingInput: false),
                       .checkpoint)
        XCTAssertEqual(machine.state, .checkpointing)
        XCTAssertEqual(machine.checkpointPrepared(at: start + .seconds(1), assignmentLost: false, frozen: false), .commit)
        machine.checkpointEnded(at: start + .milliseconds(1_200), committed: true)
        XCTAssertEqual(machine.state, .running)
        // The interval counts from the end of the last checkpoint.
        XCTAssertEqual(machine.roundEnded(at: start + .milliseconds(2_100), stopRequested: false, inputsEnded: false, drainingInput: false),
                       .nextRound)
        XCTAssertEqual(machine.roundEnded(at: start + .milliseconds(2_200), stopRequested: false, inputsEnded: false, drainingInput: false),
                       .checkpoint)
    }

    func testADrainingInputCheckpointsEveryRound() {
        var machine = machine(interval: .seconds(3_600))
        XCTAssertEqual(machine.roundEnded(at: start, stopRequested: false, inputsEnded: false, drainingInput: true), .checkpoint)
    }

    /// A requested checkpoint (``Job/requestCheckpoint()``) is made at the end of the round
    /// whatever the interval says, but not while commits are held after a freeze.
    func testARequestedCheckpointIsMadeBeforeTheIntervalUnlessCommitsAreHeld() {
        var machine = machine(interval: .seconds(3_600))
        XCTAssertEqual(machine.roundEnded(at: start, stopRequested: false, inputsEnded: false, drainingInput: false), .nextRound)
        XCTAssertEqual(
            machine.roundEnded(at: start, stopRequested: false, inputsEnded: false, drainingInput: false, checkpointRequested: true),
            .checkpoint)
        machine.checkpointEnded(at: start, committed: true)

        XCTAssertNotNil(machine.roundStarting(at: start, frozenFor: .seconds(6)))
        machine.rewound()
        XCTAssertEqual(
            machine.roundEnded(at: start + .seconds(1), stopRequested: false, inputsEnded: false, drainingInput: false,
                               checkpointRequested: true),
            .nextRound, "commits are held for the session timeout after a freeze")
        XCTAssertEqual(
            machine.roundEnded(at: start + .seconds(10), stopRequested: false, inputsEnded: false, drainingInput: false,
                               checkpointRequested: true),
            .checkpoint)
    }

    func testAStopOrEndedInputsDrainAndFinish() {
        var stopping = machine()
        XCTAssertEqual(stopping.roundEnded(at: start, stopRequested: true, inputsEnded: false, drainingInput: false), .finish)
        XCTAssertEqual(stopping.state, .draining)
        // The final checkpoint commits, and the worker stays draining until it left.
        XCTAssertEqual(stopping.checkpointPrepared(at: start, assignmentLost: false, frozen: false), .commit)
        stopping.checkpointEnded(at: start, committed: true)
        XCTAssertEqual(stopping.state, .draining)
        stopping.stopped()
        XCTAssertEqual(stopping.state, .stopped)

        var ended = machine()
        XCTAssertEqual(ended.roundEnded(at: start, stopRequested: false, inputsEnded: true, drainingInput: true), .finish)
    }

    func testRecoverableFailuresRestartUntilTheStrategyGivesUpAndACommitResetsTheCount() {
        var machine = machine()
        XCTAssertEqual(machine.failed(recoverable: true), .restart(after: .seconds(2), attempt: 1))
        XCTAssertEqual(machine.state, .rewinding(attempt: 1))
        machine.rewound()
        XCTAssertEqual(machine.failed(recoverable: true), .restart(after: .seconds(2), attempt: 2))
        machine.rewound()
        // A committed checkpoint ends the run of restarts.
        XCTAssertEqual(machine.roundEnded(at: start + .seconds(5), stopRequested: false, inputsEnded: false, drainingInput: false),
                       .checkpoint)
        machine.checkpointEnded(at: start + .seconds(5), committed: true)
        for attempt in 1...3 {
            XCTAssertEqual(machine.failed(recoverable: true), .restart(after: .seconds(2), attempt: attempt))
            machine.rewound()
        }
        XCTAssertEqual(machine.failed(recoverable: true), .giveUp(attempts: 3))
        XCTAssertEqual(machine.state, .stopped)
    }

    func testAFailureThatCannotBeRetriedOrOfAnotherGuaranteeStops() {
        var exactlyOnce = machine()
        XCTAssertEqual(exactlyOnce.failed(recoverable: false), .stop)
        XCTAssertEqual(exactlyOnce.state, .stopped)
        var atLeastOnce = machine(.atLeastOnce)
        XCTAssertEqual(atLeastOnce.failed(recoverable: true), .stop, "only exactly-once workers can rewind")
        var strategyNone = machine(restarts: .none)
        XCTAssertEqual(strategyNone.failed(recoverable: true), .stop)
    }

    func testAFailureOfTheFinalCheckpointStops() {
        var machine = machine()
        _ = machine.roundEnded(at: start, stopRequested: true, inputsEnded: false, drainingInput: false)
        XCTAssertEqual(machine.failed(recoverable: true), .stop)
    }

    func testStartUpStepsRetryEachWithItsOwnRestarts() {
        var machine = WorkerStateMachine(settings: .init(
            guarantee: .exactlyOnce, checkpointInterval: .seconds(1), restartStrategy: .fixedDelay(delay: .seconds(1), maxAttempts: 2),
            sessionTimeout: nil))
        XCTAssertEqual(machine.failed(recoverable: true), .restart(after: .seconds(1), attempt: 1))
        XCTAssertEqual(machine.state, .starting, "a start-up step is retried, not rewound")
        XCTAssertEqual(machine.failed(recoverable: true), .restart(after: .seconds(1), attempt: 2))
        machine.startupStepSucceeded()
        XCTAssertEqual(machine.failed(recoverable: true), .restart(after: .seconds(1), attempt: 1))
        XCTAssertEqual(machine.failed(recoverable: true), .restart(after: .seconds(1), attempt: 2))
        XCTAssertEqual(machine.failed(recoverable: true), .giveUp(attempts: 2))
    }

    func testEachKindOfChangeUnderEachGuarantee() {
        let splits = [Split(topic: "in", partition: 0)]
        var exactlyOnce = machine()
        XCTAssertEqual(exactlyOnce.assignmentChanged(.assigned(splits)), .build(splits))
        XCTAssertEqual(exactlyOnce.state, .running)
        XCTAssertEqual(exactlyOnce.assignmentChanged(.revoked(splits)), .checkpointThenRelease(splits))
        XCTAssertEqual(exactlyOnce.state, .checkpointing, "a revoke checkpoints before letting go")
        exactlyOnce.checkpointEnded(at: start, committed: true)
        XCTAssertEqual(exactlyOnce.assignmentChanged(.lost(splits)), .abortReleaseAndRewind(splits))
        XCTAssertEqual(exactlyOnce.state, .rewinding(attempt: 0))
        exactlyOnce.rewound()
        XCTAssertEqual(exactlyOnce.state, .running)

        var atLeastOnce = machine(.atLeastOnce)
        XCTAssertEqual(atLeastOnce.assignmentChanged(.revoked(splits)), .checkpointThenRelease(splits))
        atLeastOnce.checkpointEnded(at: start, committed: true)
        XCTAssertEqual(atLeastOnce.assignmentChanged(.lost(splits)), .release(splits), "nothing to rewind: positions were not committed")
        XCTAssertEqual(atLeastOnce.state, .running)
    }

    func testAFrozenWorkerAbandonsItsWorkAndHoldsCommitsUntilTheGroupSpeaksOrASessionPassed() {
        var machine = machine(session: .seconds(10))
        XCTAssertNil(machine.roundStarting(at: start, frozenFor: nil))
        XCTAssertNotNil(machine.roundStarting(at: start + .seconds(1), frozenFor: .seconds(7)))
        XCTAssertEqual(machine.state, .rewinding(attempt: 0))
        machine.rewound()
        // Due, but held: the group may have handed the splits to another worker meanwhile.
        XCTAssertEqual(machine.roundEnded(at: start + .seconds(5), stopRequested: false, inputsEnded: false, drainingInput: false),
                       .nextRound)
        XCTAssertEqual(machine.roundEnded(at: start + .seconds(11), stopRequested: false, inputsEnded: false, drainingInput: false),
                       .checkpoint, "a whole session later, commits go on")
        machine.checkpointEnded(at: start + .seconds(11), committed: true)

        // Held again, then released at once by a change of the assignment.
        XCTAssertNotNil(machine.roundStarting(at: start + .seconds(12), frozenFor: .seconds(6)))
        machine.rewound()
        XCTAssertEqual(machine.roundEnded(at: start + .seconds(14), stopRequested: false, inputsEnded: false, drainingInput: false),
                       .nextRound)
        _ = machine.assignmentChanged(.assigned([]))
        XCTAssertEqual(machine.roundEnded(at: start + .seconds(14), stopRequested: false, inputsEnded: false, drainingInput: false),
                       .checkpoint)
    }

    func testALostAssignmentAtCommitTimeAbandonsTheCheckpoint() {
        var machine = machine()
        _ = machine.roundEnded(at: start + .seconds(1), stopRequested: false, inputsEnded: false, drainingInput: false)
        let decision = machine.checkpointPrepared(at: start + .seconds(1), assignmentLost: true, frozen: false)
        guard case .abandon(_, let rewind) = decision else { return XCTFail("expected to abandon, got \(decision)") }
        XCTAssertTrue(rewind)
        XCTAssertEqual(machine.state, .rewinding(attempt: 0))

        var final = self.machine()
        _ = final.roundEnded(at: start, stopRequested: true, inputsEnded: false, drainingInput: false)
        XCTAssertEqual(final.checkpointPrepared(at: start, assignmentLost: false, frozen: true),
                       .abandon(reason: "the worker was frozen during the checkpoint", rewind: false),
                       "the final checkpoint is only aborted")
    }

    func testWithoutExactlyOnceNothingIsAbandoned() {
        var machine = machine(.atLeastOnce)
        XCTAssertNil(machine.roundStarting(at: start, frozenFor: .seconds(30)))
        _ = machine.roundEnded(at: start + .seconds(1), stopRequested: false, inputsEnded: false, drainingInput: false)
        XCTAssertEqual(machine.checkpointPrepared(at: start + .seconds(1), assignmentLost: true, frozen: true), .commit)
    }
}
