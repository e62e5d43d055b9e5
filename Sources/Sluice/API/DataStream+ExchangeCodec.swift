/// `keyBy` with a codec of your own for the elements that cross a repartition topic.
extension DataStream {
    /// Partitions the stream by a key path, like `keyBy(_:)`, writing elements to the
    /// repartition topic (in distributed mode) with `elementCodec` instead of ``BinaryCodec``:
    /// for elements that are not `Codable`, or to keep a format other consumers of the topic
    /// read. Each task shares the codec, so it must be safe to call from several threads. In
    /// process the exchange passes elements without encoding them.
    public func keyBy<Key: Hashable>(
        _ key: KeyPath<Element, Key> & Sendable, elementCodec: some Codec<Element>
    ) -> KeyedStream<Element, Key> {
        keyBy(PartitionKey(key), reading(key), elementCodec: elementCodec)
    }

    /// Partitions the stream by a named ``KeySelector``, like `keyBy(_:)`, writing elements to
    /// the repartition topic with `elementCodec`; see `keyBy(_:elementCodec:)` with a key path.
    public func keyBy<Key: Hashable>(
        _ key: KeySelector<Element, Key>, elementCodec: some Codec<Element>
    ) -> KeyedStream<Element, Key> {
        keyBy(PartitionKey(key), key.select, elementCodec: elementCodec)
    }

    /// Partitions the stream by a key computed by a closure, like `keyBy(_:)`, writing elements
    /// to the repartition topic with `elementCodec`; see `keyBy(_:elementCodec:)` with a key
    /// path.
    public func keyBy<Key: Hashable>(
        elementCodec: some Codec<Element>, _ selector: @escaping @Sendable (Element) throws -> Key
    ) -> KeyedStream<Element, Key> {
        keyBy(nil, selector, elementCodec: elementCodec)
    }
}
