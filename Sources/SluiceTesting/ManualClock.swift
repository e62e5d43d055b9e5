import Synchronization
import Sluice

/// Processing time that moves only when the test driver moves it.
final class ManualClock: ProcessingTimeClock {
    private let current: Mutex<Int64>

    init(start: Int64) {
        current = Mutex(start)
    }

    func now() -> Int64 {
        current.withLock { $0 }
    }

    /// Moves the clock to `time`; it never goes back.
    func set(_ time: Int64) {
        current.withLock { $0 = max($0, time) }
    }
}
