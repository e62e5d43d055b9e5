/// A worker process that cannot run its job: one line, exit status 1.
public struct WorkerFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
