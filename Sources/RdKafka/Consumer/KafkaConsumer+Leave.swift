import CRdKafka

extension KafkaConsumer {
    /// Leaves the consumer group at once and closes the consumer, whether it is a static
    /// member (`group.instance.id`) or not, so the group hands its partitions to the other
    /// members without waiting for its session to expire.
    ///
    /// ``close()`` leaves the group only for a dynamic member: librdkafka sends no LeaveGroup
    /// when a static member closes (KIP-345), so that a restart with the same
    /// `group.instance.id` within the session timeout takes the partitions back without a
    /// rebalance. An unsubscribe does leave, static or not: it revokes the assignment (the
    /// ``RebalanceListener`` hears it on this thread, as in ``close()``) and, once the
    /// partitions are released, sends LeaveGroup and forgets the member id. This serves the
    /// consumer queue until the member id is gone or `timeout` passed, then closes. Records
    /// that arrive meanwhile are dropped unread: they lie past what the caller committed.
    ///
    /// Nothing is sent when the consumer is not in the group (never joined, or its assignment
    /// was lost: the coordinator removed it already). Call it from the polling thread.
    public func leaveGroup(timeout: Duration = .seconds(10)) {
        guard rd_kafka_consumer_closed(client.handle) == 0 else { return }
        if !memberID.isEmpty, !assignmentLost {
            let error = rd_kafka_unsubscribe(client.handle)
            if error == RD_KAFKA_RESP_ERR_NO_ERROR {
                let deadline = ContinuousClock.now + timeout
                while !memberID.isEmpty, ContinuousClock.now < deadline {
                    if let message = rd_kafka_consumer_poll(client.handle, 50) { rd_kafka_message_destroy(message) }
                    // A consumer that defers its rebalances only records the unsubscribe's
                    // revoke: complete it here, or the group waits for it until the deadline.
                    completeLeftoverChanges()
                }
            } else {
                client.context.logger.warning("leaving the group: \(KafkaError(code: error))")
            }
        }
        close()
    }

    /// The member id the group coordinator gave this consumer; empty before it joined and
    /// once it left.
    public var memberID: String {
        guard let id = rd_kafka_memberid(client.handle) else { return "" }
        defer { rd_kafka_mem_free(client.handle, id) }
        return String(cString: id)
    }
}
