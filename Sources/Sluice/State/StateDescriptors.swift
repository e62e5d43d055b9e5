/// Names a ``ValueState`` and says how to snapshot it.
///
/// The name identifies the state inside its operator across snapshot and restore, so keep it
/// stable between versions of a job.
public struct ValueStateDescriptor<Value>: Sendable {
    /// The state's name, unique within its operator.
    public let name: String
    /// Encodes values in snapshots; a state without one cannot be snapshotted.
    public let codec: (any Codec<Value>)?

    /// A descriptor named `name`; with a `nil` codec the state cannot be snapshotted.
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
    /// The state's name, unique within its operator.
    public let name: String
    /// Encodes elements in snapshots; a state without one cannot be snapshotted.
    public let codec: (any Codec<Element>)?

    /// A descriptor named `name`; with a `nil` codec the state cannot be snapshotted.
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
    /// The state's name, unique within its operator.
    public let name: String
    /// Encodes map keys in snapshots; a state without one cannot be snapshotted.
    public let keyCodec: (any Codec<MapKey>)?
    /// Encodes map values in snapshots; a state without one cannot be snapshotted.
    public let valueCodec: (any Codec<Value>)?

    /// A descriptor named `name`; with a `nil` codec the state cannot be snapshotted.
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

/// Names the contents of a window operator (per key, its open windows and their accumulators)
/// and says how to snapshot the accumulators; see ``KeyedStateBackend/windowState(_:)``.
public struct WindowStateDescriptor<Accumulator>: Sendable {
    /// The state's name, unique within its operator.
    public let name: String
    /// Encodes accumulators in snapshots; contents without one cannot be snapshotted.
    public let accumulatorCodec: (any Codec<Accumulator>)?

    /// A descriptor named `name`; with a `nil` codec the contents cannot be snapshotted.
    public init(_ name: String, accumulatorCodec: (any Codec<Accumulator>)?) {
        self.name = name
        self.accumulatorCodec = accumulatorCodec
    }
}
