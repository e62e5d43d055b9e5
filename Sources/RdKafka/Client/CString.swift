extension String {
    /// Reads a NUL-terminated C string that librdkafka wrote into `buffer` (an `errstr`).
    init(errorBuffer buffer: [CChar]) {
        self = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// The string at `pointer`, or empty for a null pointer.
    init(optionalCString pointer: UnsafePointer<CChar>?) {
        self = pointer.map { String(cString: $0) } ?? ""
    }
}
