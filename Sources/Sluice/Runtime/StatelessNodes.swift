/// `map`: one output per input, timestamps and origins shared with the input batch.
final class MapNode<Input, Output>: ForwardingNode<Input, Output> {
    private let transform: @Sendable (Input) throws -> Output
    private let failures: FailureHandler
    private let name: String

    init(name: String, transform: @escaping @Sendable (Input) throws -> Output, failures: FailureHandler, next: Node<Output>) {
        self.name = name
        self.transform = transform
        self.failures = failures
        super.init(next: next)
    }

    override func push(_ batch: StreamBatch<Input>) throws {
        var values = [Output]()
        values.reserveCapacity(batch.count)
        var index = 0
        do {
            while index < batch.count {
                values.append(try transform(batch.values[index]))
                index += 1
            }
        } catch {
            return try pushSlowly(batch, from: index, values: values, firstError: error)
        }
        try next.push(StreamBatch(values: values, timestamps: batch.timestamps, origins: batch.origins))
    }

    /// After a failure the output no longer lines up with the input's timestamps, so the rest
    /// of the batch is rebuilt element by element.
    private func pushSlowly(_ batch: StreamBatch<Input>, from failed: Int, values: [Output], firstError: any Error) throws {
        var output = StreamBatch<Output>(
            values: values, timestamps: Array(batch.timestamps[..<failed]), origins: Array(batch.origins[..<failed]))
        try failures.handle(firstError, origin: batch.origins[failed], operatorName: name)
        for index in (failed + 1)..<batch.count {
            do {
                output.append(try transform(batch.values[index]), timestamp: batch.timestamps[index], origin: batch.origins[index])
            } catch {
                try failures.handle(error, origin: batch.origins[index], operatorName: name)
            }
        }
        try next.push(output)
    }
}

/// `filter`: keeps the elements the predicate accepts.
final class FilterNode<Element>: ForwardingNode<Element, Element> {
    private let predicate: @Sendable (Element) throws -> Bool
    private let failures: FailureHandler

    init(predicate: @escaping @Sendable (Element) throws -> Bool, failures: FailureHandler, next: Node<Element>) {
        self.predicate = predicate
        self.failures = failures
        super.init(next: next)
    }

    /// Collects the indices of the kept elements and gathers them once (see
    /// ``StreamBatch/gathering(_:)``); a batch kept whole is passed on as it is.
    override func push(_ batch: StreamBatch<Element>) throws {
        var kept: [Int] = []
        kept.reserveCapacity(batch.count)
        for index in 0..<batch.count {
            do {
                if try predicate(batch.values[index]) { kept.append(index) }
            } catch {
                try failures.handle(error, origin: batch.origins[index], operatorName: "filter")
            }
        }
        if kept.count == batch.count {
            if !batch.isEmpty { try next.push(batch) }
        } else if !kept.isEmpty {
            try next.push(batch.gathering(kept))
        }
    }
}

/// `flatMap`: any number of outputs per input, each with the input's timestamp.
final class FlatMapNode<Input, Results: Sequence>: ForwardingNode<Input, Results.Element> {
    private let transform: @Sendable (Input) throws -> Results
    private let failures: FailureHandler

    init(transform: @escaping @Sendable (Input) throws -> Results, failures: FailureHandler, next: Node<Results.Element>) {
        self.transform = transform
        self.failures = failures
        super.init(next: next)
    }

    override func push(_ batch: StreamBatch<Input>) throws {
        var output = StreamBatch<Results.Element>()
        output.reserveCapacity(batch.count)
        for index in 0..<batch.count {
            do {
                for result in try transform(batch.values[index]) {
                    output.append(result, timestamp: batch.timestamps[index], origin: batch.origins[index])
                }
            } catch {
                try failures.handle(error, origin: batch.origins[index], operatorName: "flatMap")
            }
        }
        if !output.isEmpty { try next.push(output) }
    }
}
