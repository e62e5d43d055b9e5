/// A worker process that cannot run its job: one line, exit status 1.
struct WorkerFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
