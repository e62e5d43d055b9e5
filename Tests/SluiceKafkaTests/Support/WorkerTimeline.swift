import Foundation

/// What a worker process (``WorkerProcess``) printed, parsed: its rebalance events, checkpoint sequences,
/// assignments and progress samples, each with the wall-clock time the worker printed it
/// (milliseconds since the epoch; parent and workers share the machine's clock).
struct WorkerTimeline {
    /// One `EVENT rebalance` line.
    struct Rebalance {
        var number: Int
        var change: String
        var splits: Set<String>
        var tasksRestored: Int
        var bytesRestored: Int
        var committed: Bool
        var owned: Int
        var pauseMillis: Double
        /// When the worker had handled it.
        var end: Int64
        /// When the membership reported it.
        var start: Double { Double(end) - pauseMillis }
    }

    /// One `PROGRESS` line: records processed so far by the input stage and the keyed stage.
    struct Progress {
        var time: Int64
        var input: Int
        var keyed: Int
        /// Both stages.
        var records: Int { input + keyed }
    }

    /// One task's checkpoint as a `committed` or `restored` event names it.
    struct TaskCheckpoint {
        var task: String
        var sequence: Int
        var time: Int64
    }

    let worker: String
    private(set) var rebalances: [Rebalance] = []
    private(set) var progress: [Progress] = []
    /// Checkpoints this worker committed, per task, in order.
    private(set) var committed: [TaskCheckpoint] = []
    /// Checkpoints this worker restored, per task, in order.
    private(set) var restored: [TaskCheckpoint] = []
    /// The splits the worker owned after its last assignment change, `nil` before the first.
    private(set) var owned: Set<String>?
    /// Whether a checkpoint committed after the last assignment change.
    private(set) var committedSinceAssignment = false

    init(worker: String, output: String) {
        self.worker = worker
        for line in output.split(separator: "\n") {
            if line.hasPrefix("ASSIGNED") {
                owned = Set(line.split(separator: " ").dropFirst().map(String.init))
                committedSinceAssignment = false
                continue
            }
            let fields = Self.fields(line)
            if line.hasPrefix("PROGRESS "), let time = fields["t"].flatMap({ Int64($0) }),
               let input = fields["input"].flatMap({ Int($0) }), let keyed = fields["keyed"].flatMap({ Int($0) }) {
                progress.append(Progress(time: time, input: input, keyed: keyed))
            } else if line.hasPrefix("EVENT rebalance "), let number = fields["n"].flatMap({ Int($0) }),
                      let change = fields["change"], let splits = fields["splits"],
                      let restoredTasks = fields["restored"].flatMap({ Int($0) }), let bytes = fields["bytes"].flatMap({ Int($0) }),
                      let owned = fields["owned"].flatMap({ Int($0) }), let pause = fields["pause_ms"].flatMap({ Double($0) }),
                      let end = fields["t"].flatMap({ Int64($0) }) {
                rebalances.append(Rebalance(
                    number: number, change: change, splits: splits == "-" ? [] : Set(splits.split(separator: ",").map(String.init)),
                    tasksRestored: restoredTasks, bytesRestored: bytes, committed: fields["committed"] == "true", owned: owned,
                    pauseMillis: pause, end: end))
            } else if line.hasPrefix("EVENT committed "), let sequences = fields["seq"], let time = fields["t"].flatMap({ Int64($0) }) {
                committedSinceAssignment = true
                // seq=<stage.partition>:<sequence>@<pointer>,…
                for entry in sequences.split(separator: ",") {
                    let parts = entry.split(separator: ":")
                    guard parts.count == 2, let sequence = parts[1].split(separator: "@").first.flatMap({ Int($0) }) else { continue }
                    committed.append(TaskCheckpoint(task: String(parts[0]), sequence: sequence, time: time))
                }
            } else if line.hasPrefix("EVENT restored "), let task = fields["task"], let sequence = fields["seq"].flatMap({ Int($0) }),
                      let time = fields["t"].flatMap({ Int64($0) }) {
                restored.append(TaskCheckpoint(task: task, sequence: sequence, time: time))
            }
        }
    }

    /// `key=value` tokens of a line.
    private static func fields(_ line: Substring) -> [String: String] {
        var out: [String: String] = [:]
        for token in line.split(separator: " ") {
            guard let equals = token.firstIndex(of: "=") else { continue }
            out[String(token[..<equals])] = String(token[token.index(after: equals)...])
        }
        return out
    }

    /// Records processed by `time`: the last sample at or before it.
    func records(at time: Int64) -> Int? {
        progress.last { $0.time <= time }?.records
    }

    /// Records the keyed stage processed by `time`.
    func keyedRecords(at time: Int64) -> Int? {
        progress.last { $0.time <= time }?.keyed
    }

    /// When the keyed stage's count (which only grows) reached the value it has at `time`.
    func keyedLastMoved(before time: Int64) -> Int64? {
        let samples = progress.filter { $0.time <= time }
        guard let last = samples.last else { return nil }
        return samples.first { $0.keyed == last.keyed }?.time
    }

    /// The longest stretch between `from` and `to` in which the count did not move, in ms.
    func longestStall(from: Int64, to: Int64) -> Int64 {
        let samples = progress.filter { $0.time >= from && $0.time <= to }
        var longest: Int64 = 0
        var since = samples.first
        for sample in samples.dropFirst() {
            guard let start = since else { break }
            if sample.records != start.records {
                since = sample
            } else {
                longest = max(longest, sample.time - start.time)
            }
        }
        return longest
    }

    /// The newest checkpoint sequence of `task` this worker knows: the highest it committed or
    /// restored (a task's sequences grow along its lineage, whichever worker runs it).
    func lastSequence(of task: String) -> Int? {
        (committed + restored).filter { $0.task == task }.map(\.sequence).max()
    }
}
