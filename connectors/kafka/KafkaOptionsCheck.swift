/// The checks ``ConsumerOptions`` and ``ProducerOptions`` share: a typed field and a
/// passthrough property must not set the same librdkafka property, and the runtime's own
/// properties cannot be passed through.
enum KafkaOptionsCheck {
    /// Throws for the first typed field whose property is also in `properties` (named
    /// `<prefix>.properties`) or `shared` (the runtime's `properties`), then for the first
    /// reserved property in either, in name order.
    static func check(
        typed: [(option: String, property: String)], prefix: String, properties: [String: String],
        shared: [String: String], reserved: [String: String]
    ) throws {
        for (option, property) in typed {
            if properties[property] != nil {
                throw KafkaOptionsError.conflict(
                    option: "\(prefix).\(option)", property: property, propertiesName: "\(prefix).properties")
            }
            if shared[property] != nil {
                throw KafkaOptionsError.conflict(option: "\(prefix).\(option)", property: property, propertiesName: "properties")
            }
        }
        for (property, reason) in reserved.sorted(by: { $0.key < $1.key }) {
            if properties[property] != nil {
                throw KafkaOptionsError.reserved(property: property, propertiesName: "\(prefix).properties", reason: reason)
            }
            if shared[property] != nil {
                throw KafkaOptionsError.reserved(property: property, propertiesName: "properties", reason: reason)
            }
        }
    }
}
