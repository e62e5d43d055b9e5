/// How a ``FileSink`` names its part files.
///
/// A visible part file is `part-<task prefix><writer token>-<counter><extension>`, where the task
/// prefix is `CheckpointAttempt.taskPrefix` (job, stage and partition), the token is drawn
/// by each writer (so no incarnation of a task reuses another's names) and the counter counts
/// the writer's part files. While it is written, and until the checkpoint that covers it
/// commits, the same name is hidden: `.part-…<extension>.inprogress`.
enum PartFileName {
    static let visiblePrefix = "part-"
    static let hiddenSuffix = ".inprogress"

    /// The visible name of a writer's `counter`-th part file.
    static func visible(taskPrefix: String, token: String, counter: Int, fileExtension: String) -> String {
        "\(visiblePrefix)\(taskPrefix)\(token)-\(counter)\(fileExtension)"
    }

    /// The hidden name of the part file whose visible name is `visible`.
    static func hidden(_ visible: String) -> String {
        ".\(visible)\(hiddenSuffix)"
    }

    /// Whether `fileName` is an in-progress or pending part file of the task with `taskPrefix`.
    static func isHidden(_ fileName: String, ofTask taskPrefix: String) -> Bool {
        fileName.hasPrefix(".\(visiblePrefix)\(taskPrefix)") && fileName.hasSuffix(hiddenSuffix)
    }

    /// Whether `fileName` is any hidden part file, of any job or task.
    static func isHidden(_ fileName: String) -> Bool {
        fileName.hasPrefix(".\(visiblePrefix)") && fileName.hasSuffix(hiddenSuffix)
    }
}
