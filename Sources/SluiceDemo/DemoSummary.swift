import Foundation

/// The demo's closing summary: records in, results out, checkpoints, rebalances with their
/// pause, recovery, and the exactly-once check.
struct DemoSummary {
    let orders: Int
    let expected: Int
    let audit: DemoAudit
    let progress: DemoProgress
    let joinedAt: Duration
    let killedAt: Duration
    let broker: String

    func print() {
        let workers = progress.workers.sorted { $0.key < $1.key }
        var lines: [String] = []
        lines.append("")
        lines.append("summary")
        lines.append("  orders in          \(orders) (+ \(DemoJob.partitions) end markers) on \(DemoJob.input)")
        lines.append("  totals expected    \(expected) (customer × 10 s window), computed without the engine")
        let aborted = audit.abortedTransactions.map { ", \($0) aborted transaction batches (\(audit.abortedRecords ?? 0) records) skipped" } ?? ""
        lines.append("  totals out         \(audit.read) read as read_committed from \(DemoJob.output)\(aborted)")
        lines.append("  checkpoints        " + workers.map { "\($0.key) \($0.value.checkpoints)" }.joined(separator: ", ")
            + " (committed transactions; " + workers.map { "\($0.key) \($0.value.aborts) aborted" }.joined(separator: ", ") + ")")
        let moves = progress.ownership.moves
        let joined = moves.filter { $0.at > joinedAt && $0.at <= killedAt }
        let recovered = moves.filter { $0.at > killedAt }
        lines.append("  rebalances")
        lines.append(String(format: "    w2 joined at %.1fs      ", seconds(joinedAt))
            + (joined.isEmpty ? "no partition moved" : DemoProgress.describe(joined) + "; the others never paused"))
        lines.append(String(format: "    w2 killed at %.1fs      ", seconds(killedAt))
            + (recovered.isEmpty ? "no partition moved" : DemoProgress.describe(recovered) + " (the dead member's session is 6 s)"))
        lines.append("    each worker's own pause (checkpoint before a revoke, restores after an assignment):")
        for rebalance in progress.rebalances {
            lines.append(String(format: "    %5.1fs  %@ %@: paused %lld ms", seconds(rebalance.at), rebalance.worker, rebalance.detail, rebalance.pauseMillis))
        }
        let afterKill = progress.restores.filter { $0.at > killedAt }
        lines.append("  recovery           \(afterKill.count) tasks restored from their last committed checkpoint after the kill (\(afterKill.reduce(0) { $0 + $1.bytes }) bytes of state)")
        if audit.exactlyOnce {
            lines.append("  exactly once       yes: each of the \(expected) expected totals appears once, with the right order count and amount; nothing else")
        } else {
            lines.append("  exactly once       NO: \(audit.missing.count) missing, \(audit.duplicated.count) duplicated, \(audit.unexpected.count) wrong or unexpected")
            for total in (audit.missing.prefix(3) + audit.duplicated.prefix(3) + audit.unexpected.prefix(3)) {
                lines.append("    \(total)")
            }
        }
        for failure in progress.failures { lines.append("  failure            \(failure)") }
        lines.append(String(format: "  time               %.1f s on %@", seconds(progress.elapsed), broker))
        DemoProgress.write(lines.joined(separator: "\n"))
    }

    private func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
