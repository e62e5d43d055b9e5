import CRdKafka

extension KafkaAdmin {
    /// Describes a consumer group: its state and active members (DescribeGroups).
    ///
    /// A group nobody ever joined is described by most brokers as `Dead` or `Empty` with no
    /// members, not as an error.
    ///
    /// Tansu 0.6 answers an active group's DescribeGroups with its state and member ids but
    /// empty client ids, hosts and assignments, and librdkafka 2.16 often lists no member of
    /// it; for a group whose state says it has members but none were listed, the members are
    /// read again from the raw DescribeGroups answer (`rd_kafka_list_groups`), which names
    /// them by id at times. Callers must treat an active state without members as active
    /// (``ConsumerGroupDescription/hasActiveState``).
    public func describeConsumerGroup(_ group: String, timeout: Duration = .seconds(10)) throws -> ConsumerGroupDescription {
        var description = try describeWithAdminAPI(group, timeout: timeout)
        if description.members.isEmpty, description.hasActiveState {
            description.members = try rawMembers(of: group, timeout: timeout)
        }
        return description
    }

    /// The members of `group` from the raw DescribeGroups answer, without parsing their
    /// metadata or assignment.
    private func rawMembers(of group: String, timeout: Duration) throws -> [ConsumerGroupMember] {
        var list: UnsafePointer<rd_kafka_group_list>?
        try KafkaError.check(
            rd_kafka_list_groups(client.handle, group, &list, timeout.timeoutMilliseconds), "describe consumer group \(group)")
        guard let list else { return [] }
        defer { rd_kafka_group_list_destroy(list) }
        let groups = UnsafeBufferPointer(start: list.pointee.groups, count: Int(list.pointee.group_cnt))
        guard let info = groups.first(where: { String(optionalCString: $0.group) == group }) else { return [] }
        return UnsafeBufferPointer(start: info.members, count: Int(info.member_cnt)).map { member in
            ConsumerGroupMember(
                memberID: String(optionalCString: member.member_id), clientID: String(optionalCString: member.client_id),
                host: String(optionalCString: member.client_host), assignment: [])
        }
    }

    private func describeWithAdminAPI(_ group: String, timeout: Duration) throws -> ConsumerGroupDescription {
        var described: ConsumerGroupDescription?
        try run(timeout: timeout, what: "describe consumer group \(group)") { queue, options in
            group.withCString { name in
                var names: [UnsafePointer<CChar>?] = [name]
                rd_kafka_DescribeConsumerGroups(client.handle, &names, 1, options, queue)
            }
        } result: { event in
            var count = 0
            guard let groups = rd_kafka_DescribeConsumerGroups_result_groups(
                rd_kafka_event_DescribeConsumerGroups_result(event), &count), count > 0, let description = groups[0]
            else {
                throw KafkaError.client("describe consumer group \(group): the answer names no group", code: RD_KAFKA_RESP_ERR__BAD_MSG)
            }
            if let error = rd_kafka_ConsumerGroupDescription_error(description),
               rd_kafka_error_code(error) != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw KafkaError(
                    code: rd_kafka_error_code(error),
                    message: "describe consumer group \(group): \(String(cString: rd_kafka_error_string(error)))")
            }
            var members: [ConsumerGroupMember] = []
            for index in 0..<rd_kafka_ConsumerGroupDescription_member_count(description) {
                guard let member = rd_kafka_ConsumerGroupDescription_member(description, index) else { continue }
                var assignment: [TopicPartition] = []
                if let assigned = rd_kafka_MemberDescription_assignment(member),
                   let list = rd_kafka_MemberAssignment_partitions(assigned) {
                    assignment = TopicPartitionList.partitions(list)
                }
                members.append(ConsumerGroupMember(
                    memberID: String(optionalCString: rd_kafka_MemberDescription_consumer_id(member)),
                    clientID: String(optionalCString: rd_kafka_MemberDescription_client_id(member)),
                    host: String(optionalCString: rd_kafka_MemberDescription_host(member)),
                    assignment: assignment))
            }
            described = ConsumerGroupDescription(
                groupID: String(optionalCString: rd_kafka_ConsumerGroupDescription_group_id(description)),
                state: String(cString: rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupDescription_state(description))),
                members: members)
        }
        guard let described else {
            throw KafkaError.client("describe consumer group \(group): no answer", code: RD_KAFKA_RESP_ERR__BAD_MSG)
        }
        return described
    }
}
