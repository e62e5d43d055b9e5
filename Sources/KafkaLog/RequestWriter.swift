/// Builds a Kafka request body in the big-endian, non-flexible encoding.
struct RequestWriter {
    private(set) var bytes: [UInt8] = []

    mutating func int8(_ value: Int8) { bytes.append(UInt8(bitPattern: value)) }

    mutating func int16(_ value: Int16) { append(UInt64(UInt16(bitPattern: value)), count: 2) }

    mutating func int32(_ value: Int32) { append(UInt64(UInt32(bitPattern: value)), count: 4) }

    mutating func int64(_ value: Int64) { append(UInt64(bitPattern: value), count: 8) }

    mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    /// A string with an int16 length; `nil` writes the null string.
    mutating func string(_ value: String?) {
        guard let value else { return int16(-1) }
        let utf8 = Array(value.utf8)
        int16(Int16(utf8.count))
        bytes += utf8
    }

    /// An array: its int32 count, then each element written by `element`.
    mutating func array<T>(_ values: [T], _ element: (inout RequestWriter, T) -> Void) {
        int32(Int32(values.count))
        for value in values { element(&self, value) }
    }

    private mutating func append(_ value: UInt64, count: Int) {
        for shift in stride(from: (count - 1) * 8, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }
}
