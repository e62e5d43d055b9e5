import Foundation
@testable import SluiceJob
import Synchronization
import XCTest

/// The restart signal's handler holds the run's workers; it must let them go when the run ends.
final class RestartSignalTests: XCTestCase {
    private final class Workers: Sendable {
        let stops = Atomic<Int>(0)
    }

    func testCancelReleasesTheHandlerAndWhatItHolds() throws {
        weak var released: Workers?
        do {
            let workers = Workers()
            released = workers
            let signal = RestartSignal { workers.stops.add(1, ordering: .relaxed) }
            signal.cancel()
            withExtendedLifetime(signal) {}
        }
        XCTAssertNil(released, "cancel released the handler and the workers it holds")
    }
}
