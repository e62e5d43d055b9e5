import Foundation
import XCTest
@testable import Sluice

/// Bytes that are not an element in ``BinaryCodec``'s format throw a ``BinaryCodecError``
/// naming what was wrong; nothing crashes the reader.
final class BinaryCodecMalformedInputTests: XCTestCase {
    struct WordCount: Codable, Equatable {
        var word: String
        var count: Int
    }

    struct Line: Codable, Equatable {
        var sku: String
        var quantity: Int
        var note: String?
    }

    struct TextLine: Codable {
        var sku: String
        var quantity: String
    }

    struct Basket: Codable, Equatable {
        var owner: String?
        var lines: [Line]
        var weights: [String: Double]
        var codes: [Int: [UInt8]]
        var flags: [Bool?]
    }

    static let basket = Basket(
        owner: "ånne", lines: [Line(sku: "a", quantity: 2, note: nil), Line(sku: "ß", quantity: -300, note: "")],
        weights: ["x": 1.5, "y": -.infinity], codes: [7: [1, 2, 3], -1: []], flags: [true, nil, false])

    /// Every strict prefix of an encoding, and the encoding with a byte more, throws.
    func assertEveryTruncationThrows<T: Codable>(_ value: T, file: StaticString = #filePath, line: UInt = #line) throws {
        let bytes = try BinaryCodec<T>().serialize(value)
        let reader = BinaryElementReader<T>()
        for length in 0..<bytes.count {
            XCTAssertThrowsError(try reader.decode(Array(bytes.prefix(length))), "prefix of \(length) of \(bytes.count) bytes", file: file, line: line) {
                XCTAssertTrue($0 is BinaryCodecError, "\($0)", file: file, line: line)
            }
        }
        XCTAssertThrowsError(try reader.decode(bytes + [0]), file: file, line: line) {
            XCTAssertTrue("\($0)".contains("trailing bytes"), "\($0)", file: file, line: line)
        }
    }

    func testTruncationAtEveryByteThrows() throws {
        try assertEveryTruncationThrows(WordCount(word: "hello", count: 42))
        try assertEveryTruncationThrows(Self.basket)
        try assertEveryTruncationThrows([Self.basket, Self.basket])
        try assertEveryTruncationThrows("wörds")
        try assertEveryTruncationThrows(Int.min)
        try assertEveryTruncationThrows(UInt32.max)
        try assertEveryTruncationThrows([UInt8](0..<40))
        try assertEveryTruncationThrows([String?]([nil, "", "x"]))
        try assertEveryTruncationThrows(String(repeating: "long ", count: 100))
    }

    func testUnknownVersionIsNamed() throws {
        var bytes = try BinaryCodec<WordCount>().serialize(WordCount(word: "a", count: 1))
        bytes[0] = 9
        XCTAssertThrowsError(try BinaryCodec<WordCount>().deserialize(bytes)) { error in
            XCTAssertEqual(error as? BinaryCodecError, .unknownVersion(9))
            XCTAssertEqual(
                "\(error)",
                "binary element format version 9 is not one this build of Sluice reads (it reads 1); was it written by a newer Sluice?")
        }
        XCTAssertThrowsError(try BinaryCodec<String>().deserialize([])) { XCTAssertEqual($0 as? BinaryCodecError, .empty) }
        for start in [3, 4, -1] {
            XCTAssertThrowsError(try BinaryElementReader<String>().decode([1, 0, 7], from: start)) {
                XCTAssertEqual($0 as? BinaryCodecError, .empty)
            }
        }
        XCTAssertThrowsError(try BinaryCodec<String>().deserialize([1, 3, 65])) { error in
            XCTAssertEqual("\(error)", "binary element truncated: it announces 3 bytes, 1 follow")
        }
    }

    func testInvalidUTF8IsRejectedNotRepaired() throws {
        XCTAssertThrowsError(try BinaryCodec<String>().deserialize([1, 2, 0xC3, 0x28])) { error in
            XCTAssertEqual("\(error)", "malformed binary element: 2 bytes are not valid UTF-8")
        }
        var bytes = try BinaryCodec<WordCount>().serialize(WordCount(word: "hi", count: 3))
        let word = bytes.indices.first { bytes[$0] == UInt8(ascii: "h") && bytes[$0 + 1] == UInt8(ascii: "i") }!
        bytes[word] = 0xFF
        XCTAssertThrowsError(try BinaryCodec<WordCount>().deserialize(bytes)) { error in
            XCTAssertEqual("\(error)", "malformed binary element at word: 2 bytes are not valid UTF-8")
        }
        var names = try BinaryCodec<WordCount>().serialize(WordCount(word: "", count: 3))
        let w = names.firstIndex(of: UInt8(ascii: "w"))!
        names[w] = 0x80
        XCTAssertThrowsError(try BinaryCodec<WordCount>().deserialize(names)) { error in
            XCTAssertEqual("\(error)", "malformed binary element: field name 0 is not valid UTF-8")
        }
    }

    func testAMissingFieldOrAWrongTypeNamesItsPath() throws {
        struct OnlyWord: Codable { var word: String }
        let bytes = try BinaryCodec<OnlyWord>().serialize(OnlyWord(word: "x"))
        XCTAssertThrowsError(try BinaryCodec<WordCount>().deserialize(bytes)) { error in
            XCTAssertEqual("\(error)", "malformed binary element: no field \"count\"")
        }
        let text = try BinaryCodec<[TextLine]>().serialize([TextLine(sku: "a", quantity: "7"), TextLine(sku: "b", quantity: "seven")])
        XCTAssertThrowsError(try BinaryCodec<[Line]>().deserialize(text)) { error in
            XCTAssertEqual("\(error)", "malformed binary element at [1].quantity: 5 bytes are not one integer")
        }
        let big = try BinaryCodec<[String: Int]>().serialize(["n": 300])
        XCTAssertThrowsError(try BinaryCodec<[String: Int8]>().deserialize(big)) { error in
            XCTAssertEqual("\(error)", "malformed binary element at n: 300 does not fit in Int8")
        }
        XCTAssertThrowsError(try BinaryCodec<Int32>().deserialize(try BinaryCodec<Int64>().serialize(.max))) { error in
            XCTAssertEqual("\(error)", "malformed binary element: the integer does not fit in Int32")
        }
        XCTAssertThrowsError(try BinaryCodec<WordCount>().deserialize(try BinaryCodec<[String]>().serialize(["a"]))) { error in
            XCTAssertEqual("\(error)", "malformed binary element: not a keyed container (reading Dictionary<String, Any>)")
        }
    }

    /// A container written after its parent moved on cannot be placed in a streamed format.
    func testAContainerWrittenOutOfOrderIsAnEncodingError() throws {
        struct OutOfOrder: Encodable {
            enum Keys: CodingKey { case a, b }
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: Keys.self)
                var nested = container.nestedUnkeyedContainer(forKey: .a)
                try container.encode(1, forKey: .b)
                try nested.encode(2)
            }
        }
        XCTAssertThrowsError(try BinaryElementWriter<OutOfOrder>().encode(OutOfOrder())) { error in
            XCTAssertEqual(
                "\(error)",
                "cannot encode binary element: a container was written to after its parent container moved on; BinaryCodec writes containers in order")
        }
        var bytes: [UInt8] = [5]
        XCTAssertThrowsError(try BinaryElementWriter<OutOfOrder>().encode(OutOfOrder(), appendingTo: &bytes))
        XCTAssertEqual(bytes, [5], "a failed encode leaves the buffer as it was")
    }

    struct Refusal: Error {}

    struct Flaky: Codable, Equatable {
        var fail: Bool
        var inner: [[String]]

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(inner, forKey: .inner)
            var nested = container.nestedUnkeyedContainer(forKey: .fail)
            try nested.encode(fail)
            if fail { throw Refusal() }
        }
    }

    /// A writer whose element threw half-way, deep in nested slots, writes the next one whole.
    func testAWriterRecoversFromAnElementThatThrew() throws {
        let writer = BinaryElementWriter<Flaky>()
        let good = Flaky(fail: false, inner: [["a"], [], ["b", "c"]])
        for _ in 0..<3 {
            XCTAssertThrowsError(try writer.encode(Flaky(fail: true, inner: [["x"]]))) { XCTAssertTrue($0 is Refusal) }
            let bytes = try writer.encode(good)
            XCTAssertEqual(bytes, try BinaryElementWriter<Flaky>().encode(good), "the same bytes as a fresh writer's")
        }
    }

    struct Parcel: Codable {
        var label: String?
        var lines: [Line]
        var weights: [Double]
        var ratio: Float
        var flags: [Bool?]
        var bytes: [UInt8]
        var inner: [[Int?]]
    }

    /// Random bytes changed in valid elements: the reader throws a ``BinaryCodecError`` or
    /// returns a value, and a value it returns is written back in the canonical form, which
    /// reads back as the same bytes again. Never a crash.
    func testMutatedElementsThrowOrDecodeConsistently() throws {
        var random = SplitMix(state: 99)
        let reader = BinaryElementReader<Parcel>()
        let writer = BinaryElementWriter<Parcel>()
        let original = try writer.encode(Parcel(
            label: "ånne", lines: [Line(sku: "a", quantity: 2, note: nil), Line(sku: "ß", quantity: -300, note: "")],
            weights: [1.5, -.infinity], ratio: 0.25, flags: [true, nil, false], bytes: [1, 2, 3], inner: [[1, nil], []]))
        var thrown = 0
        var decoded = 0
        for _ in 0..<5_000 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
            do {
                let canonical = try writer.encode(try reader.decode(bytes))
                decoded += 1
                XCTAssertEqual(try writer.encode(try reader.decode(canonical)), canonical)
            } catch is BinaryCodecError {
                thrown += 1
            }
        }
        XCTAssertEqual(thrown + decoded, 5_000)
        XCTAssertGreaterThan(thrown, 2_500, "most mutations are detected")
    }
}
