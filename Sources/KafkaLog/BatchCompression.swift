import CCompression

/// The codecs of a record batch's records section (attributes bits 0-2), and their
/// decompression with the C libraries Kafka clients use.
public enum BatchCompression: Int, Sendable, CaseIterable, CustomStringConvertible {
    /// Records stored as they are.
    case none = 0
    /// A gzip stream (zlib).
    case gzip = 1
    /// Raw snappy (librdkafka) or xerial-framed snappy (the Java client).
    case snappy = 2
    /// An LZ4 frame.
    case lz4 = 3
    /// A zstd frame.
    case zstd = 4

    public var description: String {
        switch self {
        case .none: "none"
        case .gzip: "gzip"
        case .snappy: "snappy"
        case .lz4: "lz4"
        case .zstd: "zstd"
        }
    }

    /// Why a records section could not be decompressed.
    public struct Failure: Error, CustomStringConvertible {
        /// The codec and what went wrong.
        public var description: String
    }

    /// The magic that starts xerial-framed snappy, which the Java client writes (librdkafka
    /// writes raw snappy).
    static let xerialMagic: [UInt8] = [0x82, 0x53, 0x4E, 0x41, 0x50, 0x50, 0x59, 0x00]

    /// No batch inflates past this: a corrupt size must not exhaust memory.
    private static let limit = 1 << 30

    /// The decompressed bytes of `data`.
    public func decompress(_ data: [UInt8]) throws -> [UInt8] {
        switch self {
        case .none: data
        case .gzip: try Self.gunzip(data)
        case .snappy: try Self.unsnappy(data)
        case .lz4: try Self.unlz4(data)
        case .zstd: try Self.unzstd(data)
        }
    }

    private static func gunzip(_ data: [UInt8]) throws -> [UInt8] {
        var stream = z_stream()
        // 15 + 32: a zlib or gzip header, detected (Kafka writes gzip).
        guard inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Failure(description: "gzip: cannot start zlib")
        }
        defer { inflateEnd(&stream) }
        var input = data
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: max(64 << 10, data.count * 4))
        return try input.withUnsafeMutableBufferPointer { inputBuffer in
            stream.next_in = inputBuffer.baseAddress
            stream.avail_in = UInt32(inputBuffer.count)
            while true {
                let status = chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = UInt32(out.count)
                    return CCompression.inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunk.count - Int(stream.avail_out)
                output += chunk[0..<produced]
                if status == Z_STREAM_END { return output }
                guard status == Z_OK || (status == Z_BUF_ERROR && produced > 0) else {
                    throw Failure(description: "gzip: zlib error \(status)")
                }
                if stream.avail_in == 0 && produced == 0 { throw Failure(description: "gzip: the stream ends early") }
                guard output.count <= limit else { throw Failure(description: "gzip: inflates past \(limit) bytes") }
            }
        }
    }

    private static func unlz4(_ data: [UInt8]) throws -> [UInt8] {
        var context: OpaquePointer?
        guard LZ4F_isError(LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION))) == 0, let context else {
            throw Failure(description: "lz4: cannot start a decompression context")
        }
        defer { LZ4F_freeDecompressionContext(context) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        var consumed = 0
        while consumed < data.count {
            var inputSize = data.count - consumed
            var outputSize = chunk.count
            let hint = data.withUnsafeBytes { input in
                chunk.withUnsafeMutableBytes { out in
                    LZ4F_decompress(context, out.baseAddress, &outputSize, input.baseAddress! + consumed, &inputSize, nil)
                }
            }
            if LZ4F_isError(hint) != 0 {
                throw Failure(description: "lz4: \(String(cString: LZ4F_getErrorName(hint)))")
            }
            consumed += inputSize
            output += chunk[0..<outputSize]
            if hint == 0 { return output }
            if inputSize == 0 && outputSize == 0 { break }
            guard output.count <= limit else { throw Failure(description: "lz4: inflates past \(limit) bytes") }
        }
        throw Failure(description: "lz4: the frame ends early")
    }

    private static func unzstd(_ data: [UInt8]) throws -> [UInt8] {
        guard let stream = ZSTD_createDStream() else { throw Failure(description: "zstd: cannot start a stream") }
        defer { ZSTD_freeDStream(stream) }
        ZSTD_initDStream(stream)
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: Int(ZSTD_DStreamOutSize()))
        var position = 0
        var last = 0
        repeat {
            var produced = 0
            last = try data.withUnsafeBytes { input in
                try chunk.withUnsafeMutableBytes { out in
                    var inBuffer = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: position)
                    var outBuffer = ZSTD_outBuffer(dst: out.baseAddress, size: out.count, pos: 0)
                    let result = ZSTD_decompressStream(stream, &outBuffer, &inBuffer)
                    if ZSTD_isError(result) != 0 {
                        throw Failure(description: "zstd: \(String(cString: ZSTD_getErrorName(result)))")
                    }
                    position = inBuffer.pos
                    produced = outBuffer.pos
                    return result
                }
            }
            output += chunk[0..<produced]
            guard output.count <= limit else { throw Failure(description: "zstd: inflates past \(limit) bytes") }
            if position == data.count && last != 0 && produced < chunk.count { throw Failure(description: "zstd: the frame ends early") }
        } while position < data.count || last != 0
        return output
    }

    private static func unsnappy(_ data: [UInt8]) throws -> [UInt8] {
        guard data.starts(with: xerialMagic) else { return try rawSnappy(data[...]) }
        // xerial framing: magic, int32 version, int32 compatible version, then blocks of
        // int32 length and raw snappy.
        var reader = ByteReader(data, from: xerialMagic.count + 8)
        var output: [UInt8] = []
        do {
            while !reader.isAtEnd {
                let length = Int(try reader.int32())
                let start = reader.position
                try reader.skip(length)
                output += try rawSnappy(data[start..<(start + length)])
            }
        } catch let error as ByteReader.Underflow {
            throw Failure(description: "snappy: a xerial block runs past the data (\(error))")
        }
        return output
    }

    private static func rawSnappy(_ data: ArraySlice<UInt8>) throws -> [UInt8] {
        try data.withUnsafeBufferPointer { input in
            let base = UnsafeRawPointer(input.baseAddress).map { $0.assumingMemoryBound(to: CChar.self) }
            var length = 0
            guard snappy_uncompressed_length(base, input.count, &length) == SNAPPY_OK, length <= limit else {
                throw Failure(description: "snappy: not a snappy block")
            }
            var output = [UInt8](repeating: 0, count: length)
            let status = output.withUnsafeMutableBytes { out in
                snappy_uncompress(base, input.count, out.baseAddress?.assumingMemoryBound(to: CChar.self), &length)
            }
            guard status == SNAPPY_OK else { throw Failure(description: "snappy: corrupt block") }
            return Array(output[0..<length])
        }
    }
}
