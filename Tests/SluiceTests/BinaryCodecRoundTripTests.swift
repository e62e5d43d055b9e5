import Foundation
import XCTest
@testable import Sluice

/// Values of many shapes through ``BinaryCodec`` and back, compared with the originals; a
/// fixed element against bytes written out by hand from the documented format.
final class BinaryCodecRoundTripTests: XCTestCase {
    func roundTrip<T: Codable>(_ value: T) throws -> T {
        try BinaryCodec<T>().deserialize(try BinaryCodec<T>().serialize(value))
    }

    struct Integers: Codable, Equatable {
        var i8: Int8, i16: Int16, i32: Int32, i64: Int64, int: Int
        var u8: UInt8, u16: UInt16, u32: UInt32, u64: UInt64, uint: UInt
    }

    func testIntegersOfEveryWidthAtTheirBounds() throws {
        for value in [
            Integers(i8: .min, i16: .min, i32: .min, i64: .min, int: .min, u8: .min, u16: .min, u32: .min, u64: .min, uint: .min),
            Integers(i8: .max, i16: .max, i32: .max, i64: .max, int: .max, u8: .max, u16: .max, u32: .max, u64: .max, uint: .max),
            Integers(i8: -1, i16: 1, i32: -64, i64: 64, int: 0, u8: 127, u16: 128, u32: 1 << 31, u64: 1 << 63, uint: 300),
        ] {
            XCTAssertEqual(try roundTrip(value), value)
            XCTAssertEqual(try roundTrip([value.i8]), [value.i8])
            XCTAssertEqual(try roundTrip([value.u64, value.u64]), [value.u64, value.u64])
        }
        for value in [Int.min, -1, 0, 1, Int.max] { XCTAssertEqual(try roundTrip(value), value) }
        for value in [Int32.min, Int32.max] { XCTAssertEqual(try roundTrip(value), value) }
        for value in [Int64.min, Int64.max] { XCTAssertEqual(try roundTrip(value), value) }
        for value in [UInt.max, 0] { XCTAssertEqual(try roundTrip(value), value) }
        for value in [UInt32.max, 0] { XCTAssertEqual(try roundTrip(value), value) }
        for value in [UInt64.max, 0] { XCTAssertEqual(try roundTrip(value), value) }
        for value in [Int16.min, Int16.max] { XCTAssertEqual(try roundTrip(value), value) }
        for value in [UInt8.min, UInt8.max] { XCTAssertEqual(try roundTrip(value), value) }
    }

    struct Floats: Codable {
        var double: Double
        var float: Float
        var doubles: [Double]
    }

    func testFloatingPointIsBitExactIncludingInfinitiesAndNaN() throws {
        let doubles: [Double] = [
            0, -0.0, 1.5, -.pi, .infinity, -.infinity, .nan, Double(bitPattern: 0x7FF0_0000_0000_0001),
            -.nan, .leastNonzeroMagnitude, .greatestFiniteMagnitude, .ulpOfOne,
        ]
        let floats: [Float] = [0, -0.0, 3.25, .infinity, -.infinity, .nan, Float(bitPattern: 0x7F80_0001), .leastNonzeroMagnitude]
        for (index, double) in doubles.enumerated() {
            let float = floats[index % floats.count]
            let back = try roundTrip(Floats(double: double, float: float, doubles: [double, -double]))
            XCTAssertEqual(back.double.bitPattern, double.bitPattern)
            XCTAssertEqual(back.float.bitPattern, float.bitPattern)
            XCTAssertEqual(back.doubles.map(\.bitPattern), [double.bitPattern, (-double).bitPattern])
            XCTAssertEqual(try roundTrip(double).bitPattern, double.bitPattern)
            XCTAssertEqual(try roundTrip(float).bitPattern, float.bitPattern)
        }
    }

    func testBoolsAndStrings() throws {
        XCTAssertEqual(try roundTrip(true), true)
        XCTAssertEqual(try roundTrip([false, true]), [false, true])
        let strings = [
            "", "a", "héllo wörld", "日本語のテキスト", "👩‍👩‍👧‍👦 family", "nul\0inside\0", "\u{10FFFF}",
            String(repeating: "x", count: 127), String(repeating: "é", count: 100), String(repeating: "long ", count: 20_000),
        ]
        for string in strings {
            XCTAssertEqual(try roundTrip(string), string)
            XCTAssertEqual(try roundTrip([string, string]), [string, string])
            XCTAssertEqual(try roundTrip(["key \(string)": string]), ["key \(string)": string])
        }
        XCTAssertEqual(try roundTrip(strings), strings)
    }

    struct Foundations: Codable, Equatable {
        var data: Data
        var date: Date
        var url: URL
        var uuid: UUID
        var bytes: [UInt8]
    }

    func testDataDateURLUUIDAndBytes() throws {
        let value = Foundations(
            data: Data([0, 1, 2, 255, 128]), date: Date(timeIntervalSince1970: 1_764_000_000.123),
            url: URL(string: "https://example.com/a/b?c=d#e")!, uuid: UUID(), bytes: Array(0...255))
        XCTAssertEqual(try roundTrip(value), value)
        XCTAssertEqual(try roundTrip(Data()), Data())
        XCTAssertEqual(try roundTrip([UInt8]()), [])
        XCTAssertEqual(try roundTrip(Array(repeating: UInt8(7), count: 1_000)), Array(repeating: UInt8(7), count: 1_000))
        let relative = URL(string: "b/c", relativeTo: URL(string: "https://example.com/a/"))!
        XCTAssertEqual(try roundTrip(relative).absoluteString, relative.absoluteString)
    }

    struct Line: Codable, Equatable {
        var sku: String
        var quantity: Int
        var note: String?
    }

    struct Order: Codable, Equatable {
        var id: Int
        var customer: String?
        var lines: [Line]
        var tags: Set<String>
        var optionalLines: [Line?]
        var nested: [[Int?]]
        var byName: [String: Line]
        var byNumber: [Int: String]
        var byUUID: [UUID: Int]
        var status: Status
        var history: [Status]
    }

    indirect enum Status: Codable, Equatable {
        case open
        case shipped(carrier: String, tracking: Int?)
        case split(Order?, [Status])
        case cancelled(String, Int)
    }

    static func sampleOrder(id: Int) -> Order {
        let inner = Order(
            id: -id, customer: nil, lines: [], tags: [], optionalLines: [nil], nested: [], byName: [:], byNumber: [:], byUUID: [:],
            status: .open, history: [])
        return Order(
            id: id, customer: "c\(id)", lines: [Line(sku: "a", quantity: 1, note: nil), Line(sku: "b", quantity: -2, note: "fragile")],
            tags: ["x", "y"], optionalLines: [nil, Line(sku: "z", quantity: 0, note: "")], nested: [[1, nil, 3], [], [nil]],
            byName: ["first": Line(sku: "f", quantity: 9, note: nil)], byNumber: [1: "one", -5: "minus five", Int.max: "max"],
            byUUID: [UUID(): 1, UUID(): 2],
            status: .split(inner, [.shipped(carrier: "dhl", tracking: nil), .cancelled("why", 3)]),
            history: [.open, .shipped(carrier: "ups", tracking: 12)])
    }

    func testNestedStructsEnumsOptionalsArraysAndDictionaries() throws {
        for id in [0, 1, 1_000_000] {
            let order = Self.sampleOrder(id: id)
            XCTAssertEqual(try roundTrip(order), order)
        }
        let many = (0..<200).map(Self.sampleOrder)
        XCTAssertEqual(try roundTrip(many), many)
        XCTAssertEqual(try roundTrip([Int: [String]]()), [:])
        XCTAssertEqual(try roundTrip(["": [Int?]()]), ["": []])
    }

    func testOptionalsAtTheTopAndNested() throws {
        XCTAssertEqual(try roundTrip(Int?.none), nil)
        XCTAssertEqual(try roundTrip(Int?.some(0)), 0)
        XCTAssertEqual(try roundTrip(String?.some("")), "")
        XCTAssertEqual(try roundTrip([String?]([nil, "", "a"])), [nil, "", "a"])
        XCTAssertEqual(try roundTrip(Line?.some(Line(sku: "", quantity: 0, note: nil))), Line(sku: "", quantity: 0, note: nil))
        struct Empty: Codable, Equatable {}
        XCTAssertEqual(try roundTrip(Empty?.some(Empty())), Empty(), "an empty struct is a value, not nil")
        XCTAssertEqual(try roundTrip([Empty?]([Empty(), nil])), [Empty(), nil])
        // Nested optionals collapse exactly as in JSON (documented): compare with JSONCodec.
        let nested: [Int??] = [.none, .some(.none), .some(.some(4))]
        XCTAssertEqual(try roundTrip(nested), try JSONCodec<[Int??]>().deserialize(try JSONCodec<[Int??]>().serialize(nested)))
    }

    class Animal: Codable {
        var name: String
        init(name: String) { self.name = name }
    }

    final class Dog: Animal, Equatable {
        var tricks: [String]
        var owner: String?
        private enum CodingKeys: String, CodingKey { case tricks, owner }

        init(name: String, tricks: [String], owner: String?) {
            self.tricks = tricks
            self.owner = owner
            super.init(name: name)
        }

        required init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            tricks = try container.decode([String].self, forKey: .tricks)
            owner = try container.decodeIfPresent(String.self, forKey: .owner)
            try super.init(from: container.superDecoder())
        }

        override func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try super.encode(to: container.superEncoder())
            try container.encode(tricks, forKey: .tricks)
            try container.encodeIfPresent(owner, forKey: .owner)
        }

        static func == (lhs: Dog, rhs: Dog) -> Bool {
            lhs.name == rhs.name && lhs.tricks == rhs.tricks && lhs.owner == rhs.owner
        }
    }

    /// A subclass that shares its encoder with its superclass instead of a super encoder.
    final class Cat: Animal, Equatable {
        var lives: Int
        private enum CodingKeys: String, CodingKey { case lives }

        init(name: String, lives: Int) {
            self.lives = lives
            super.init(name: name)
        }

        required init(from decoder: any Decoder) throws {
            lives = try decoder.container(keyedBy: CodingKeys.self).decode(Int.self, forKey: .lives)
            try super.init(from: decoder)
        }

        override func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(lives, forKey: .lives)
            try super.encode(to: encoder)
        }

        static func == (lhs: Cat, rhs: Cat) -> Bool { lhs.name == rhs.name && lhs.lives == rhs.lives }
    }

    func testClassesWithSuperEncoderAndSharedEncoder() throws {
        let dog = Dog(name: "rex", tricks: ["sit", "roll"], owner: nil)
        XCTAssertEqual(try roundTrip(dog), dog)
        XCTAssertEqual(try roundTrip([dog, Dog(name: "", tricks: [], owner: "ann")]), [dog, Dog(name: "", tricks: [], owner: "ann")])
        XCTAssertEqual(try roundTrip(Cat(name: "tom", lives: 9)), Cat(name: "tom", lives: 9))
    }

    /// Written in one order, read in another, with keys that are absent and asked for with
    /// `contains` and `decodeIfPresent`, and a nested container and an unkeyed super encoder.
    struct Reordered: Codable, Equatable {
        var a: Int
        var b: String
        var c: [Double]
        var d: Int?
        var e: String?
        var point: (x: Int, y: Int)
        var pair: [String]

        enum Keys: String, CodingKey { case a, b, c, d, e, point, pair, missing }
        enum PointKeys: String, CodingKey { case x, y }

        init(a: Int, b: String, c: [Double], d: Int?, e: String?, point: (x: Int, y: Int), pair: [String]) {
            (self.a, self.b, self.c, self.d, self.e, self.point, self.pair) = (a, b, c, d, e, point, pair)
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(a, forKey: .a)
            try container.encode(b, forKey: .b)
            try container.encode(c, forKey: .c)
            try container.encodeIfPresent(d, forKey: .d)
            if let e { try container.encode(e, forKey: .e) } else { try container.encodeNil(forKey: .e) }
            var point = container.nestedContainer(keyedBy: PointKeys.self, forKey: .point)
            try point.encode(self.point.y, forKey: .y)
            try point.encode(self.point.x, forKey: .x)
            var pair = container.nestedUnkeyedContainer(forKey: .pair)
            for item in self.pair { try pair.encode(item) }
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Keys.self)
            XCTAssertFalse(container.contains(.missing))
            XCTAssertTrue(container.contains(.a))
            XCTAssertEqual(Set(container.allKeys.map(\.stringValue)).isSuperset(of: ["a", "b", "c", "e", "point", "pair"]), true)
            let pointContainer = try container.nestedContainer(keyedBy: PointKeys.self, forKey: .point)
            point = (try pointContainer.decode(Int.self, forKey: .x), try pointContainer.decode(Int.self, forKey: .y))
            e = try container.decodeIfPresent(String.self, forKey: .e)
            d = try container.decodeIfPresent(Int.self, forKey: .d)
            c = try container.decode([Double].self, forKey: .c)
            XCTAssertNil(try container.decodeIfPresent(Int.self, forKey: .missing))
            b = try container.decode(String.self, forKey: .b)
            var pairContainer = try container.nestedUnkeyedContainer(forKey: .pair)
            var items: [String] = []
            while !pairContainer.isAtEnd { items.append(try pairContainer.decode(String.self)) }
            pair = items
            a = try container.decode(Int.self, forKey: .a)
        }

        static func == (lhs: Reordered, rhs: Reordered) -> Bool {
            lhs.a == rhs.a && lhs.b == rhs.b && lhs.c == rhs.c && lhs.d == rhs.d && lhs.e == rhs.e
                && lhs.point == rhs.point && lhs.pair == rhs.pair
        }
    }

    func testCustomCodableReadingKeysInAnotherOrderWithAbsentKeys() throws {
        let values = [
            Reordered(a: 1, b: "b", c: [1.5], d: nil, e: nil, point: (3, -4), pair: ["p", "q"]),
            Reordered(a: -9, b: "", c: [], d: 7, e: "e", point: (0, 0), pair: []),
        ]
        for value in values { XCTAssertEqual(try roundTrip(value), value) }
        XCTAssertEqual(try roundTrip(values), values)
    }

    struct WordCount: Codable, Equatable {
        var word: String
        var count: Int
    }

    /// The documented format, written out by hand.
    func testBytesFollowTheDocumentedFormat() throws {
        let bytes = try BinaryCodec<WordCount>().serialize(WordCount(word: "hi", count: 3))
        let names: [UInt8] = [2, 4] + Array("word".utf8) + [5] + Array("count".utf8)
        // Slot headers are length + 1.
        let body: [UInt8] = [2, 0, 3] + Array("hi".utf8) + [2, 2, 6]
        XCTAssertEqual(bytes, [1, UInt8(names.count + body.count + 1)] + names + body)
        XCTAssertEqual(try BinaryCodec<WordCount?>().serialize(nil), [1, 0])
        XCTAssertEqual(try BinaryCodec<String?>().serialize(""), [1, 2, 0])
        XCTAssertEqual(try BinaryCodec<[String?]>().serialize([nil, ""]), [1, 5, 0, 0, 0, 1])
        XCTAssertEqual(try BinaryCodec<String>().serialize("héllo"), [1, 6] + Array("héllo".utf8))
        XCTAssertEqual(try BinaryCodec<Int>().serialize(-3), [1, 1, 5])
        XCTAssertEqual(try BinaryCodec<UInt64>().serialize(300), [1, 2, 0xAC, 0x02])
        XCTAssertEqual(try BinaryCodec<[UInt8]>().serialize([9, 8]), [1, 2, 9, 8])
        XCTAssertEqual(try BinaryCodec<[Int: Bool]>().serialize([-1: true]), [1, 6, 0, 2, 3, 2, 1])
        XCTAssertEqual(BinaryCodec<Int>.formatVersion, 1)
    }

    /// An array of structs names each field once per element.
    func testFieldNamesAreWrittenOncePerElement() throws {
        let words = (0..<100).map { WordCount(word: "w\($0)", count: $0) }
        let bytes = try BinaryCodec<[WordCount]>().serialize(words)
        let text = String(decoding: bytes, as: UTF8.self)
        XCTAssertEqual(text.components(separatedBy: "count").count - 1, 1)
        XCTAssertEqual(text.components(separatedBy: "word").count - 1, 1)
        XCTAssertEqual(try BinaryCodec<[WordCount]>().deserialize(bytes), words)
    }

    /// One writer and one reader for a stream of elements whose field names change: the kept
    /// name table must not leak from one element into the next.
    func testAReusedWriterAndReaderKeepNothingBetweenElements() throws {
        let writer = BinaryElementWriter<[String: Int]>()
        let reader = BinaryElementReader<[String: Int]>()
        var random = SplitMix(state: 3)
        for _ in 0..<500 {
            var value: [String: Int] = [:]
            for _ in 0..<Int.random(in: 0...20, using: &random) {
                value["k\(Int.random(in: 0..<30, using: &random))"] = Int.random(in: .min ... .max, using: &random)
            }
            XCTAssertEqual(try reader.decode(try writer.encode(value)), value)
        }
        var prefixed: [UInt8] = [7, 7, 7]
        try BinaryElementWriter<WordCount>().encode(WordCount(word: "x", count: 1), appendingTo: &prefixed)
        XCTAssertEqual(prefixed.prefix(3), [7, 7, 7])
        XCTAssertEqual(try BinaryElementReader<WordCount>().decode(prefixed, from: 3), WordCount(word: "x", count: 1))
    }
}
