/// ApiVersions v0: which versions of each request the broker supports.
enum ApiVersionsRequest {
    static let body: [UInt8] = []

    /// The supported range per api key; throws on an error code.
    static func decode(_ body: [UInt8]) throws -> (errorCode: Int16, ranges: [Int16: ClosedRange<Int16>]) {
        var reader = ByteReader(body)
        let errorCode = try reader.int16()
        var ranges: [Int16: ClosedRange<Int16>] = [:]
        for _ in 0..<(try reader.arrayCount()) {
            let key = try reader.int16()
            let low = try reader.int16()
            let high = try reader.int16()
            if low <= high { ranges[key] = low...high }
        }
        return (errorCode, ranges)
    }
}
