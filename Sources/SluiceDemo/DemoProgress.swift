import Foundation
import Synchronization

/// What the demo's workers reported, gathered from their `EVENT` lines: checkpoints, restores,
/// assignments and rebalances, printed as they happen with the time since the demo started.
final class DemoProgress: Sendable {
    struct Worker {
        var checkpoints = 0
        var inputPartitions = 0
        var restoredTasks = 0
        var restoredBytes = 0
        var aborts = 0
        var lastCheckpointMillis: Int64 = 0
    }

    /// One rebalance as one worker saw it.
    struct Rebalance {
        var at: Duration
        var worker: String
        var pauseMillis: Int64
        var detail: String
    }

    /// A task restored from its checkpoint.
    struct Restore {
        var at: Duration
        var worker: String
        var task: String
        var bytes: Int
    }

    private let started = ContinuousClock.now
    private let state = Mutex<(workers: [String: Worker], rebalances: [Rebalance], restores: [Restore], failures: [String], ownership: DemoOwnership)>(
        ([:], [], [], [], DemoOwnership()))

    var elapsed: Duration { ContinuousClock.now - started }

    func say(_ line: String) {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        Self.write(String(format: "[%5.1fs] ", seconds) + line)
    }

    /// Writes `text` and a newline to standard output at once, unbuffered, so progress lines
    /// appear as they happen and never interleave.
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// Handles one `EVENT` line of `worker`.
    func event(worker: String, _ line: String) {
        let fields = Dictionary(
            line.split(separator: " ").compactMap { part -> (String, String)? in
                let pair = part.split(separator: "=", maxSplits: 1)
                return pair.count == 2 ? (String(pair[0]), String(pair[1])) : nil
            }, uniquingKeysWith: { first, _ in first })
        let name = line.split(separator: " ").first.map(String.init) ?? ""
        var message: String?
        state.withLock { state in
            var current = state.workers[worker] ?? Worker()
            switch name {
            case "committed":
                current.checkpoints += 1
                current.lastCheckpointMillis = Int64(fields["ms"] ?? "") ?? 0
            case "restored":
                current.restoredTasks += 1
                current.restoredBytes += Int(fields["bytes"] ?? "") ?? 0
                state.restores.append(
                    Restore(at: elapsed, worker: worker, task: fields["task"] ?? "?", bytes: Int(fields["bytes"] ?? "") ?? 0))
            case "assigned":
                let input = Int(fields["input"] ?? "") ?? 0
                let splits = Set(line.split(separator: " ").dropFirst().filter { !$0.contains("=") }.map(String.init))
                let moves = state.ownership.worker(worker, owns: splits, at: elapsed)
                if input != current.inputPartitions || !moves.isEmpty {
                    let moved = moves.isEmpty ? "" : "; " + Self.describe(moves)
                    message = "\(worker) owns \(splits.count) partitions, \(input) of them input\(moved)"
                }
                current.inputPartitions = input
            case "rebalance":
                let pause = Int64(fields["pause_ms"] ?? "") ?? 0
                let detail = line.split(separator: " ").dropFirst().filter { !$0.hasPrefix("pause_ms=") }.joined(separator: " ")
                state.rebalances.append(Rebalance(at: elapsed, worker: worker, pauseMillis: pause, detail: detail))
                message = "\(worker) \(detail): its processing paused \(pause) ms"
            case "aborted" where line.hasSuffix("worker stops"):
                break
            case "aborted":
                current.aborts += 1
                message = "\(worker) aborted a transaction: \(line.dropFirst(8))"
            case "restarting":
                message = "\(worker) restarts: \(line.dropFirst(11))"
            case "failed":
                state.failures.append("\(worker): \(line.dropFirst(7))")
                message = "\(worker) FAILED: \(line.dropFirst(7))"
            case "started":
                message = "\(worker) started"
            case "stopped":
                message = "\(worker) stopped: \(line.dropFirst(8))"
            default:
                break
            }
            state.workers[worker] = current
        }
        if let message { say(message) }
    }

    /// A worker was killed: its partitions have no owner until others take them.
    func lost(worker: String) {
        state.withLock { $0.ownership.lost(worker, at: elapsed) }
    }

    static func describe(_ moves: [DemoOwnership.Move]) -> String {
        let gaps = moves.map(\.unowned)
        let longest = gaps.max() ?? .zero, shortest = gaps.min() ?? .zero
        let from = Set(moves.compactMap(\.from)).sorted().joined(separator: ",")
        return String(format: "%d moved from %@ after %.1f–%.1f s without an owner", moves.count, from, seconds(shortest), seconds(longest))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    var ownership: DemoOwnership { state.withLock { $0.ownership } }
    var workers: [String: Worker] { state.withLock { $0.workers } }
    var rebalances: [Rebalance] { state.withLock { $0.rebalances } }
    var restores: [Restore] { state.withLock { $0.restores } }
    var failures: [String] { state.withLock { $0.failures } }
}
