extension TaskContext {
    /// When the job checkpoints, fails the build of an operator whose state cannot be encoded, so
    /// the job stops before it runs rather than at its first checkpoint.
    ///
    /// - Parameters:
    ///   - codec: the codec the operator's state would use; `nil` when there is none.
    ///   - operatorName: the operator, as plans show it.
    ///   - what: what the operator would checkpoint with `codec`, such as "keys of type Item".
    ///   - fix: what the user can do about it, such as "make Item Codable".
    func requireCheckpointCodec<Value>(
        _ codec: (any Codec<Value>)?, operatorName: String, what: String, fix: String
    ) throws {
        if checkpointing, codec == nil {
            throw JobError.invalidPlan("operator '\(operatorName)' checkpoints \(what), which have no codec: \(fix)")
        }
    }
}
