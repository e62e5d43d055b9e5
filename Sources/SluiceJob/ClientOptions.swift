import ArgumentParser
import SluiceKafka

/// The typed settings of each worker's consumer and producer: `run`'s `--consumer-*` and
/// `--producer-*` options, which also come from `SLUICE_CONSUMER_*`/`SLUICE_PRODUCER_*`
/// variables and from `consumer.*`/`producer.*` keys of a `--config` file.
struct ClientOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The group's session timeout (session.timeout.ms), like 6s. Env: SLUICE_CONSUMER_SESSION_TIMEOUT.", valueName: "duration"))
    var consumerSessionTimeout: DurationArgument?

    @Option(help: ArgumentHelp("How often a worker heartbeats (heartbeat.interval.ms), like 500ms. Env: SLUICE_CONSUMER_HEARTBEAT_INTERVAL.", valueName: "duration"))
    var consumerHeartbeatInterval: DurationArgument?

    @Option(help: ArgumentHelp("The longest a worker may go without polling, also the rebalance timeout (max.poll.interval.ms). Env: SLUICE_CONSUMER_MAX_POLL_INTERVAL.", valueName: "duration"))
    var consumerMaxPollInterval: DurationArgument?

    @Option(help: ArgumentHelp("How long a broker may hold a fetch (fetch.wait.max.ms). Env: SLUICE_CONSUMER_FETCH_WAIT.", valueName: "duration"))
    var consumerFetchWait: DurationArgument?

    @Option(help: ArgumentHelp("How long a partition's next fetch waits once the local queue is full (fetch.queue.backoff.ms); 10ms by default. Env: SLUICE_CONSUMER_FETCH_QUEUE_BACKOFF.", valueName: "duration"))
    var consumerFetchQueueBackoff: DurationArgument?

    @Option(help: ArgumentHelp("partition.assignment.strategy; cooperative-sticky by default. Env: SLUICE_CONSUMER_ASSIGNMENT_STRATEGY.", valueName: "strategy"))
    var consumerAssignmentStrategy: AssignmentStrategyArgument?

    @Option(help: ArgumentHelp("isolation.level; read-committed by default (exactly-once requires it). Env: SLUICE_CONSUMER_ISOLATION_LEVEL.", valueName: "level"))
    var consumerIsolationLevel: IsolationLevelArgument?

    @Option(help: ArgumentHelp(
        "static (the default: group.instance.id is the worker id, so a worker restarted with its --worker-id takes its partitions back at once) or dynamic. Env: SLUICE_CONSUMER_MEMBERSHIP.",
        valueName: "membership"))
    var consumerMembership: MembershipArgument?

    @Option(help: ArgumentHelp("How long the broker lets an exactly-once worker's transaction stay open (transaction.timeout.ms); 60s by default. Env: SLUICE_PRODUCER_TRANSACTION_TIMEOUT.", valueName: "duration"))
    var producerTransactionTimeout: DurationArgument?

    @Option(help: ArgumentHelp("How long the producer waits to fill a batch (linger.ms), like 5ms. Env: SLUICE_PRODUCER_LINGER.", valueName: "duration"))
    var producerLinger: DurationArgument?

    @Option(help: ArgumentHelp("acks; the idempotent producer takes only all. Env: SLUICE_PRODUCER_ACKS.", valueName: "acks"))
    var producerAcks: AcksArgument?

    @Option(help: ArgumentHelp("compression.type. Env: SLUICE_PRODUCER_COMPRESSION.", valueName: "codec"))
    var producerCompression: CompressionArgument?

    /// The consumer's typed options, with `properties` passed through.
    func consumer(properties: [String: String]) -> ConsumerOptions {
        ConsumerOptions(
            sessionTimeout: consumerSessionTimeout?.duration, heartbeatInterval: consumerHeartbeatInterval?.duration,
            maxPollInterval: consumerMaxPollInterval?.duration, fetchWait: consumerFetchWait?.duration,
            fetchQueueBackoff: consumerFetchQueueBackoff?.duration,
            assignmentStrategy: consumerAssignmentStrategy?.strategy, isolationLevel: consumerIsolationLevel?.level,
            membership: consumerMembership?.membership, properties: properties)
    }

    /// The producer's typed options, with `properties` passed through.
    func producer(properties: [String: String]) -> ProducerOptions {
        ProducerOptions(
            transactionTimeout: producerTransactionTimeout?.duration ?? ProducerOptions().transactionTimeout, linger: producerLinger?.duration,
            acks: producerAcks?.acks, compression: producerCompression?.compression, properties: properties)
    }
}
