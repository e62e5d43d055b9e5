/// Cuts the logical graph into stages.
///
/// Stage 0 holds everything reachable from the sources without crossing an exchange; each
/// `keyBy` that needs an exchange (the input is not already partitioned by that key) starts a
/// new stage. A stage's operators are chained inside each of its tasks.
struct Planner {
    let jobName: String
    let graph: LogicalGraph
    let parallelism: Int?

    /// The stage of every node, by node id.
    func stages() throws -> [Int] {
        var stageOf = [Int](repeating: 0, count: graph.nodes.count)
        var nextStage = 1
        for node in graph.nodes {
            switch node.kind {
            case .source:
                stageOf[node.id] = 0
            case .exchange:
                stageOf[node.id] = nextStage
                nextStage += 1
            case .sink, .operation:
                let inputStages = Set(node.inputs.map { stageOf[$0] })
                guard inputStages.count == 1, let stage = inputStages.first else {
                    throw JobError.invalidPlan(
                        "'\(node.name)' joins streams of different stages; union streams before keyBy, not after")
                }
                stageOf[node.id] = stage
            }
        }
        return stageOf
    }

    func mode() -> JobPlan.Mode {
        let sources = graph.nodes.compactMap { if case .source(let binding) = $0.kind { binding } else { nil } }
        return sources.allSatisfy(\.isInProcess) ? .local : .distributed
    }

    /// How many partitions each exchange has: the job's parallelism, or the largest source
    /// partition count, as Kafka Streams sizes repartition topics.
    func exchangePartitions() throws -> Int {
        if let parallelism { return parallelism }
        var largest = 1
        for node in graph.nodes {
            if case .source(let binding) = node.kind { largest = max(largest, try binding.splits().count) }
        }
        return largest
    }

    func plan(sinkNames: [String]) throws -> JobPlan {
        let stageOf = try stages()
        let mode = mode()
        let partitions = try exchangePartitions()
        var sourceTopics: [String] = []
        var sourceSplits = 0
        var operators: [Int: [String]] = [:]
        var exchanges: [JobPlan.ExchangeStep] = []
        for node in graph.nodes {
            switch node.kind {
            case .source(let binding):
                sourceTopics.append(binding.name)
                sourceSplits += try binding.splits().count
                operators[0, default: []].append("source(\(binding.name))")
            case .exchange(let binding):
                let stage = stageOf[node.id]
                if mode == .distributed, let problem = binding.repartitionProblem {
                    throw JobError.invalidPlan(problem)
                }
                let kind: JobPlan.ExchangeKind = mode == .local
                    ? .localHash : .repartitionTopic(JobTopics(job: jobName).repartition(stage: stage))
                exchanges.append(.init(
                    fromStage: stageOf[node.inputs[0]], toStage: stage, keyName: binding.keyName,
                    kind: kind, partitionCount: partitions))
                operators[stage, default: []].append("exchange")
            case .sink, .operation:
                operators[stageOf[node.id], default: []].append(node.name)
            }
        }
        let stageCount = (stageOf.max() ?? 0) + 1
        let stages = (0..<stageCount).map { id in
            JobPlan.Stage(id: id, operators: operators[id] ?? [], taskCount: id == 0 ? sourceSplits : partitions)
        }
        return JobPlan(
            jobName: jobName, mode: mode, stages: stages, exchanges: exchanges,
            sourceTopics: sourceTopics, sinkNames: sinkNames)
    }
}
