/// Passes bytes through unchanged: for jobs that handle raw payloads themselves.
public struct BytesCodec: Codec {
    /// Raw bytes.
    public typealias Value = [UInt8]

    /// The pass-through codec.
    public init() {}

    /// Returns `value` unchanged.
    public func serialize(_ value: [UInt8]) -> [UInt8] { value }

    /// Returns `bytes` unchanged; never fails.
    public func deserialize(_ bytes: [UInt8]) -> [UInt8] { bytes }
}
