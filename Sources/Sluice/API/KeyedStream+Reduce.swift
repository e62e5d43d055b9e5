/// A running reduce per key, without windows.
extension KeyedStream {
    /// Combines each element with the running result of its key and emits the new result, one
    /// output per input, like Kafka Streams' `groupByKey().reduce` or Flink's
    /// `KeyedStream.reduce`. A key's first element is emitted as it is.
    ///
    /// The running result lives in the key's value state named ``KeyedReduce/stateName`` of the
    /// operator `reduce`, so it is snapshotted and restored with the job's other keyed state;
    /// when the job checkpoints, `Element` must be `Codable` (building the job fails otherwise).
    /// The output is not known to be partitioned by any key.
    public func reduce(_ combine: @escaping @Sendable (Element, Element) throws -> Element) -> DataStream<Element> {
        let codec = jsonCodecIfCodable(Element.self)
        return process(
            named: "reduce",
            requiring: { context in
                try context.requireCheckpointCodec(
                    codec, operatorName: "reduce", what: "running results of type \(Element.self)", fix: "make \(Element.self) Codable")
            },
            make: { KeyedReduce<Key, Element>(combine: combine, codec: codec) })
    }
}
