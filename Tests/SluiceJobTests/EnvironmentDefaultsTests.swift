import XCTest
@testable import SluiceJob

/// Options from `SLUICE_*` environment variables, parsed by the real command: the run's and
/// the job's own, the command line winning.
final class EnvironmentDefaultsTests: XCTestCase {
    struct Sample: StreamJob {
        static let name = "sample"
        @Option var input = "in"
        @Option var maxDelay = 1
        @Flag var dryRun = false
        @Option var tags: [String] = []

        func build(_ job: JobContext) throws {}
    }

    private func parse(_ commandLine: [String], _ environment: [String: String]) throws -> any ParsableCommand {
        try JobCommand<Sample>.parseAsRoot(
            EnvironmentDefaults.arguments(for: Sample.self, commandLine: commandLine, environment: environment))
    }

    func testRunTakesEveryOptionFromTheEnvironmentAndTheCommandLineWins() throws {
        let environment = [
            "SLUICE_BOOTSTRAP": "env:9092", "SLUICE_WORKERS": "3", "SLUICE_WORKER_ID": "env-id", "SLUICE_GUARANTEE": "at-least-once",
            "SLUICE_FROM": "earliest", "SLUICE_UNTIL": "end", "SLUICE_CHECKPOINT_INTERVAL": "250ms", "SLUICE_INPUT": "env-input",
            "SLUICE_MAX_DELAY": "7", "SLUICE_DRY_RUN": "true", "SLUICE_TAGS": "a,b", "SLUICE_LOG_LEVEL": "error",
            "SLUICE_LOG_FORMAT": "json",
        ]
        let run = try XCTUnwrap(try parse(["run", "--input", "flag-input", "--workers=2"], environment) as? RunCommand<Sample>)
        XCTAssertEqual(run.options.bootstrap, "env:9092")
        XCTAssertEqual(run.options.workers, 2, "the flag wins")
        XCTAssertEqual(run.options.workerIDs, ["env-id-0", "env-id-1"])
        XCTAssertEqual(run.options.guarantee, .atLeastOnce)
        XCTAssertEqual(run.options.from, .earliest)
        XCTAssertEqual(run.options.until, .end)
        XCTAssertEqual(run.options.checkpointInterval.duration, .milliseconds(250))
        XCTAssertEqual(run.options.logLevel.level, .error)
        XCTAssertEqual(run.options.logFormat, .json)
        XCTAssertEqual(run.job.input, "flag-input", "the flag wins")
        XCTAssertEqual(run.job.maxDelay, 7)
        XCTAssertTrue(run.job.dryRun)
        XCTAssertEqual(run.job.tags, ["a", "b"])
    }

    func testPlanTakesOnlyTheJobsOptions() throws {
        let plan = try XCTUnwrap(
            try parse(["plan"], ["SLUICE_BOOTSTRAP": "env:9092", "SLUICE_INPUT": "env-input"]) as? PlanCommand<Sample>)
        XCTAssertNil(plan.bootstrap, "a plan reaches brokers only when --bootstrap says so")
        XCTAssertEqual(plan.job.input, "env-input")
    }

    func testNonsenseFromTheEnvironmentIsAValidationError() {
        XCTAssertThrowsError(try parse(["run"], ["SLUICE_BOOTSTRAP": "b:1", "SLUICE_GUARANTEE": "nonsense"])) { error in
            XCTAssertEqual(JobCommand<Sample>.exitCode(for: error), .validationFailure)
            XCTAssertTrue(JobCommand<Sample>.message(for: error).contains("nonsense"), JobCommand<Sample>.message(for: error))
        }
        XCTAssertThrowsError(try parse(["run"], [:])) { error in
            XCTAssertTrue(JobCommand<Sample>.message(for: error).contains("--bootstrap"), JobCommand<Sample>.message(for: error))
        }
    }
}
