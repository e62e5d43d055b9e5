/// The jobs a worker process of a broker-backed test can run.
public enum WorkerPipeline: String, Codable, Sendable {
    /// ``PurchaseJob``: purchases summed per user in 5 s windows, through a repartition topic.
    case purchaseTotals
    /// ``UpperCaseJob``: each line upper-cased, no state.
    case upperCase
    /// ``LargeStateJob``: one large value per key, kept in keyed state.
    case largeState
    /// ``ClickCountJob``: clicks counted per user in 5 s windows, through a repartition topic;
    /// run until a file says stop, its assignment written to a file.
    case clickCounts
    /// ``PurchaseJob`` writing its results into part files (a file sink) under the spec's
    /// parameter `directory`.
    case purchaseTotalsToFiles
    /// ``FileLinesJob``: the lines of a directory's files into the output topic.
    case fileLines
}
