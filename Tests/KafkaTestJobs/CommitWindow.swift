import Dispatch
import Foundation
import Synchronization

/// Whether a worker process is between a checkpoint's last write and the end of its commit:
/// the window in which a freeze cannot be stopped from committing on the test brokers (the
/// producer's commit call is already on its way; only a broker that fences a stale group
/// generation, KIP-447, refuses it, and neither Tansu nor the mock clusters do).
///
/// A test that freezes a worker to prove it aborts after the freeze asks for the freeze with
/// SIGUSR2; the worker stops itself with SIGSTOP at the next moment it is outside this window,
/// which is anywhere in a round or in the first phase of a checkpoint.
///
/// `@unchecked Sendable`: besides the atomic flag it holds only the signal source, set once in
/// ``init()`` and never touched again.
final class CommitWindow: @unchecked Sendable {
    private let open = Atomic<Bool>(false)
    private let signalSource = DispatchSource.makeSignalSource(signal: SIGUSR2, queue: .global())

    /// Follows the checkpoint events: the window opens when the snapshot pieces are staged (the
    /// ownership check and the commit follow) and closes when the checkpoint committed, was
    /// aborted, or the worker restarts.
    func observe(_ event: String) {
        switch event {
        case "pieces", "manifests": open.store(true, ordering: .sequentiallyConsistent)
        case "committed", "aborted", "restarting": open.store(false, ordering: .sequentiallyConsistent)
        default: break
        }
    }

    /// On SIGUSR2, waits until the window is closed, then SIGSTOPs the whole process.
    init() {
        signal(SIGUSR2, SIG_IGN)
        signalSource.setEventHandler { [self] in
            while open.load(ordering: .sequentiallyConsistent) { usleep(200) }
            kill(getpid(), SIGSTOP)
        }
        signalSource.resume()
    }
}
