import Foundation
import XCTest
@testable import Sluice

/// Randomly generated values through one reused writer and reader, each compared field by
/// field with the value it came from (floating point by bit pattern).
final class BinaryCodecRandomizedTests: XCTestCase {
    enum Shape: Codable, Equatable {
        case point
        case circle(radius: Int32)
        case label(String, tags: [String]?)
    }

    struct Sample: Codable {
        var i8: Int8
        var i64: Int64
        var u16: UInt16
        var u64: UInt64
        var double: Double
        var float: Float
        var flag: Bool
        var text: String
        var maybe: String?
        var numbers: [Int]
        var optionals: [Int?]
        var byName: [String: UInt32]
        var byNumber: [Int: Bool]
        var shapes: [Shape]
        var children: [Sample]

        /// Equal field by field, floating point by bit pattern (so NaN matches itself).
        func matches(_ other: Sample) -> Bool {
            i8 == other.i8 && i64 == other.i64 && u16 == other.u16 && u64 == other.u64
                && double.bitPattern == other.double.bitPattern && float.bitPattern == other.float.bitPattern
                && flag == other.flag && text == other.text && maybe == other.maybe && numbers == other.numbers
                && optionals == other.optionals && byName == other.byName && byNumber == other.byNumber
                && shapes == other.shapes && children.count == other.children.count
                && zip(children, other.children).allSatisfy { $0.matches($1) }
        }
    }

    static func randomString(_ random: inout SplitMix) -> String {
        let ranges: [ClosedRange<UInt32>] = [0x0...0x7F, 0x80...0x7FF, 0x800...0xD7FF, 0xE000...0xFFFF, 0x1F300...0x1FAFF, 0x10000...0x10FFFF]
        var scalars = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...40, using: &random) {
            let range = ranges[Int.random(in: 0..<ranges.count, using: &random)]
            scalars.append(Unicode.Scalar(UInt32.random(in: range, using: &random))!)
        }
        return String(scalars)
    }

    static func randomSample(_ random: inout SplitMix, depth: Int = 0) -> Sample {
        func maybe<T>(_ make: () -> T) -> T? { Bool.random(using: &random) ? make() : nil }
        let shapes: [Shape] = (0..<Int.random(in: 0...3, using: &random)).map { _ in
            switch Int.random(in: 0..<3, using: &random) {
            case 0: return .point
            case 1: return .circle(radius: Int32.random(in: .min ... .max, using: &random))
            default:
                let tags = Bool.random(using: &random) ? [randomString(&random), ""] : nil
                return .label(randomString(&random), tags: tags)
            }
        }
        var byName: [String: UInt32] = [:]
        for _ in 0..<Int.random(in: 0...5, using: &random) { byName[randomString(&random)] = UInt32.random(in: 0 ... .max, using: &random) }
        var byNumber: [Int: Bool] = [:]
        for _ in 0..<Int.random(in: 0...5, using: &random) { byNumber[Int.random(in: .min ... .max, using: &random)] = Bool.random(using: &random) }
        return Sample(
            i8: Int8.random(in: .min ... .max, using: &random), i64: Int64.random(in: .min ... .max, using: &random),
            u16: UInt16.random(in: 0 ... .max, using: &random), u64: UInt64.random(in: 0 ... .max, using: &random),
            double: Double(bitPattern: random.next()), float: Float(bitPattern: UInt32(truncatingIfNeeded: random.next())),
            flag: Bool.random(using: &random), text: randomString(&random), maybe: Bool.random(using: &random) ? randomString(&random) : nil,
            numbers: (0..<Int.random(in: 0...8, using: &random)).map { _ in Int.random(in: -1_000_000...1_000_000, using: &random) },
            optionals: (0..<Int.random(in: 0...4, using: &random)).map { _ in Bool.random(using: &random) ? Int.random(in: .min ... .max, using: &random) : nil },
            byName: byName, byNumber: byNumber, shapes: shapes,
            children: depth < 2 ? (0..<Int.random(in: 0...2, using: &random)).map { _ in randomSample(&random, depth: depth + 1) } : [])
    }

    func testRandomValuesRoundTripThroughOneWriterAndReader() throws {
        var random = SplitMix(state: 2026)
        let writer = BinaryElementWriter<Sample>()
        let reader = BinaryElementReader<Sample>()
        for index in 0..<2_000 {
            let sample = Self.randomSample(&random)
            let back = try reader.decode(try writer.encode(sample))
            XCTAssertTrue(back.matches(sample), "sample \(index): \(sample) came back as \(back)")
        }
    }

    func testRandomStringsAndIntegersThroughTheTopLevelFastPaths() throws {
        var random = SplitMix(state: 11)
        let strings = (BinaryElementWriter<String>(), BinaryElementReader<String>())
        let ints = (BinaryElementWriter<Int>(), BinaryElementReader<Int>())
        let bytes = (BinaryElementWriter<[UInt8]>(), BinaryElementReader<[UInt8]>())
        for _ in 0..<5_000 {
            let string = Self.randomString(&random)
            XCTAssertEqual(try strings.1.decode(try strings.0.encode(string)), string)
            let int = Int(truncatingIfNeeded: random.next()) >> Int.random(in: 0...63, using: &random)
            XCTAssertEqual(try ints.1.decode(try ints.0.encode(int)), int)
            let raw = (0..<Int.random(in: 0...300, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            XCTAssertEqual(try bytes.1.decode(try bytes.0.encode(raw)), raw)
        }
    }
}
