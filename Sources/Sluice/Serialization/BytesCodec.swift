/// Passes bytes through unchanged: for jobs that handle raw payloads themselves.
public struct BytesCodec: Codec {
    public typealias Value = [UInt8]

    public init() {}

    public func serialize(_ value: [UInt8]) -> [UInt8] { value }

    public func deserialize(_ bytes: [UInt8]) -> [UInt8] { bytes }
}
