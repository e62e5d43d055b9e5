/// Names a ``ValueState`` and says how to snapshot it.
///
/// The name identifies the state inside its operator across snapshot and restore, so keep it
/// stable between versions of a job.
public struct ValueStateDescriptor<Value>: Sendable {
    public let name: String
    /// Encodes values in snapshots; a state without one cannot be snapshotted.
    public let codec: (any Codec<Value>)?

    public init(_ name: String, codec: (any Codec<Value>)?) {
        self.name = name
        self.codec = codec
    }
}

extension ValueStateDescriptor where Value: Codable {
    /// A descriptor that snapshots values as JSON.
    public init(_ name: String) {
        self.init(name, codec: JSONCodec<Value>())
    }
}

/// Names a ``ListState`` and says how to snapshot its elements.
public struct ListStateDescriptor<Element>: Sendable {
    public let name: String
    public let codec: (any Codec<Element>)?

    public init(_ name: String, codec: (any Codec<Element>)?) {
        self.name = name
        self.codec = codec
    }
}

extension ListStateDescriptor where Element: Codable {
    /// A descriptor that snapshots elements as JSON.
    public init(_ name: String) {
        self.init(name, codec: JSONCodec<Element>())
    }
}

/// Names a ``MapState`` and says how to snapshot its entries.
public struct MapStateDescriptor<MapKey: Hashable, Value>: Sendable {
    public let name: String
    public let keyCodec: (any Codec<MapKey>)?
    public let valueCodec: (any Codec<Value>)?

    public init(_ name: String, keyCodec: (any Codec<MapKey>)?, valueCodec: (any Codec<Value>)?) {
        self.name = name
        self.keyCodec = keyCodec
        self.valueCodec = valueCodec
    }
}

extension MapStateDescriptor where MapKey: Codable, Value: Codable {
    /// A descriptor that snapshots keys and values as JSON.
    public init(_ name: String) {
        self.init(name, keyCodec: JSONCodec<MapKey>(), valueCodec: JSONCodec<Value>())
    }
}
