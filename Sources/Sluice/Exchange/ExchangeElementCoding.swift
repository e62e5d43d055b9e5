/// How one task writes the elements it sends through a repartition topic: it may keep buffers
/// between elements, so each task has its own and uses it on one thread at a time.
protocol ExchangeElementEncoder<Element>: AnyObject {
    associatedtype Element
    /// Appends `element`'s bytes to `bytes`, which hold the record's envelope header.
    func append(_ element: Element, to bytes: inout [UInt8]) throws
}

/// How one task reads the elements of a repartition topic partition; one per task.
protocol ExchangeElementDecoder<Element>: AnyObject {
    associatedtype Element
    /// The element in `bytes[start...]` (after the envelope header).
    func decode(_ bytes: [UInt8], from start: Int) throws -> Element
}

/// A codec that gives each task an encoder and a decoder of its own instead of being shared.
protocol PerTaskCodec<Value>: Codec {
    func makeExchangeEncoder() -> any ExchangeElementEncoder<Value>
    func makeExchangeDecoder() -> any ExchangeElementDecoder<Value>
}

extension BinaryCodec: PerTaskCodec {
    func makeExchangeEncoder() -> any ExchangeElementEncoder<Value> { BinaryElementWriter<Value>() }
    func makeExchangeDecoder() -> any ExchangeElementDecoder<Value> { BinaryElementReader<Value>() }
}

extension BinaryElementWriter: ExchangeElementEncoder {
    func append(_ element: Value, to bytes: inout [UInt8]) throws {
        try encode(element, appendingTo: &bytes)
    }
}

extension BinaryElementReader: ExchangeElementDecoder {}

/// A user's codec, shared by every task as codecs are; it copies the bytes after the header.
final class SharedCodecExchangeCoding<Element>: ExchangeElementEncoder, ExchangeElementDecoder {
    private let codec: any Codec<Element>

    init(_ codec: any Codec<Element>) {
        self.codec = codec
    }

    func append(_ element: Element, to bytes: inout [UInt8]) throws {
        bytes.append(contentsOf: try codec.serialize(element))
    }

    func decode(_ bytes: [UInt8], from start: Int) throws -> Element {
        try codec.deserialize(Array(bytes[start...]))
    }
}

/// The encoder and decoder a task uses for `codec`: its own for a ``PerTaskCodec``, the shared
/// codec otherwise.
enum ExchangeElementCoding {
    static func encoder<Element>(for codec: any Codec<Element>) -> any ExchangeElementEncoder<Element> {
        if let perTask = codec as? any PerTaskCodec<Element> { return perTask.makeExchangeEncoder() }
        return SharedCodecExchangeCoding(codec)
    }

    static func decoder<Element>(for codec: any Codec<Element>) -> any ExchangeElementDecoder<Element> {
        if let perTask = codec as? any PerTaskCodec<Element> { return perTask.makeExchangeDecoder() }
        return SharedCodecExchangeCoding(codec)
    }
}
