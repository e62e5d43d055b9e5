import Sluice

/// The workers' metrics added up, for the closing line.
struct RunSummary {
    var recordsRead = 0
    var recordsWritten = 0
    var skippedRecords = 0
    var deadLetteredRecords = 0
    var commits = 0
    var restarts = 0

    /// Adds one worker's counts.
    mutating func add(_ metrics: JobMetrics) {
        recordsRead += metrics.recordsRead
        recordsWritten += metrics.recordsWritten
        skippedRecords += metrics.skippedRecords
        deadLetteredRecords += metrics.deadLetteredRecords
        commits += metrics.commits
        restarts += metrics.restarts
    }

    /// `120 records read, 45 written, 12 checkpoints, 0 restarts`, and skipped or
    /// dead-lettered records when there were any.
    var counts: String {
        var parts = ["\(recordsRead) records read", "\(recordsWritten) written", "\(commits) checkpoints", "\(restarts) restarts"]
        if skippedRecords > 0 { parts.append("\(skippedRecords) skipped") }
        if deadLetteredRecords > 0 { parts.append("\(deadLetteredRecords) dead-lettered") }
        return parts.joined(separator: ", ")
    }
}
