// Encodes and decodes N elements through JSONCodec or BinaryCodec, for instruction counts:
//
//   swift build -c release --product sluice-codec-bench
//   valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//       .build/release/sluice-codec-bench <none|json|binary> <word|count|nested> [N]   # "Collected : <instructions>"
//   (or perf stat -e instructions:u …, where the machine has hardware counters)
//
// `none` only builds the input, so (instructions(codec) - instructions(none)) / N is what one
// element costs to encode, decode and compare with the original. Every decoded element is
// compared with its original; a difference exits 1. Prints the encoded bytes per element.
import Foundation
import Sluice

struct WordCount: Codable, Equatable {
    var word: String
    var count: Int
}

struct Line: Codable, Equatable {
    var sku: String
    var quantity: Int
    var price: Double?
}

struct Order: Codable, Equatable {
    var id: Int
    var customer: String
    var note: String?
    var lines: [Line]
}

/// Deterministic pseudo-random numbers (SplitMix64), so every run builds the same input.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

func word(_ random: inout SplitMix) -> String {
    let letters = Array("abcdefghijklmnopqrstuvwxyz".utf8)
    let length = Int.random(in: 3...10, using: &random)
    return String(decoding: (0..<length).map { _ in letters[Int.random(in: 0..<26, using: &random)] }, as: UTF8.self)
}

enum Mode: String { case none, json, binary }

func run<T: Codable & Equatable>(_ mode: Mode, _ values: [T]) throws -> Int {
    var bytes = 0
    switch mode {
    case .none:
        return 0
    case .json:
        let codec = JSONCodec<T>()
        for value in values {
            let encoded = try codec.serialize(value)
            bytes += encoded.count
            guard try codec.deserialize(encoded) == value else { throw Mismatch() }
        }
    case .binary:
        // One writer and one reader for the whole stream, as each repartition task keeps.
        let writer = BinaryElementWriter<T>()
        let reader = BinaryElementReader<T>()
        for value in values {
            let encoded = try writer.encode(value)
            bytes += encoded.count
            guard try reader.decode(encoded) == value else { throw Mismatch() }
        }
    }
    return bytes
}

struct Mismatch: Error {}

let arguments = CommandLine.arguments
guard arguments.count >= 3, let mode = Mode(rawValue: arguments[1]), ["word", "count", "nested"].contains(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: sluice-codec-bench <none|json|binary> <word|count|nested> [count]\n".utf8))
    exit(64)
}
let count = arguments.count > 3 ? Int(arguments[3]) ?? 1_000_000 : 1_000_000
var random = SplitMix(state: 42)
let bytes: Int
do {
    switch arguments[2] {
    case "word":
        bytes = try run(mode, (0..<count).map { _ in word(&random) })
    case "count":
        bytes = try run(mode, (0..<count).map { _ in WordCount(word: word(&random), count: Int.random(in: 1...100_000, using: &random)) })
    default:
        bytes = try run(mode, (0..<count).map { index in
            Order(
                id: index, customer: word(&random), note: index % 2 == 0 ? nil : word(&random),
                lines: (0..<Int.random(in: 1...3, using: &random)).map { _ in
                    Line(sku: word(&random), quantity: Int.random(in: 1...20, using: &random),
                         price: Bool.random(using: &random) ? Double(Int.random(in: 100...99_999, using: &random)) / 100 : nil)
                })
        })
    }
} catch {
    FileHandle.standardError.write(Data("sluice-codec-bench: error: \(error)\n".utf8))
    exit(1)
}
print("\(mode.rawValue) \(arguments[2]) \(count) elements: \(String(format: "%.2f", Double(bytes) / Double(max(count, 1)))) bytes/element")
