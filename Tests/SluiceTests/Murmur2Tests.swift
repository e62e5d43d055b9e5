import XCTest
@testable import Sluice

final class Murmur2Tests: XCTestCase {
    /// murmur2 written from the algorithm's description in Java's signed 32-bit arithmetic,
    /// independently of the engine's unsigned implementation.
    private func reference(_ data: [UInt8]) -> Int32 {
        let m: Int32 = 0x5bd1e995
        var h: Int32 = Int32(bitPattern: 0x9747b28c) ^ Int32(data.count)
        let blocks = data.count / 4
        for block in 0..<blocks {
            let i = block * 4
            var k = Int32(data[i]) &+ (Int32(data[i + 1]) << 8) &+ (Int32(data[i + 2]) << 16) &+ (Int32(bitPattern: UInt32(data[i + 3]) << 24))
            k = k &* m
            k ^= Int32(bitPattern: UInt32(bitPattern: k) >> 24)
            k = k &* m
            h = h &* m
            h ^= k
        }
        let rest = data.count % 4
        let base = data.count - rest
        if rest == 3 { h ^= Int32(data[base + 2]) << 16 }
        if rest >= 2 { h ^= Int32(data[base + 1]) << 8 }
        if rest >= 1 {
            h ^= Int32(data[base])
            h = h &* m
        }
        h ^= Int32(bitPattern: UInt32(bitPattern: h) >> 13)
        h = h &* m
        h ^= Int32(bitPattern: UInt32(bitPattern: h) >> 15)
        return h
    }

    func testMatchesKafkaUtilsTestVectors() {
        // From Apache Kafka's UtilsTest.testMurmur2.
        let vectors: [(String, Int32)] = [
            ("21", -973_932_308), ("foobar", -790_332_482), ("a-little-bit-long-string", -985_981_536),
            ("a-little-bit-longer-string", -1_486_304_829),
            ("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58_897_971), ("abc", 479_470_107),
        ]
        for (text, expected) in vectors {
            XCTAssertEqual(Murmur2.hash(Array(text.utf8)), expected, text)
        }
    }

    func testMatchesReferenceForEveryTailLength() {
        var random = SplitMix(state: 7)
        for length in 0..<64 {
            let data = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            XCTAssertEqual(Murmur2.hash(data), reference(data), "length \(length)")
        }
    }

    func testPartitionIsToPositiveModuloCount() {
        for text in ["21", "foobar", "abc", "user-42", ""] {
            let hash = reference(Array(text.utf8))
            for count in [1, 3, 12, 100] {
                XCTAssertEqual(Murmur2.partition(key: Array(text.utf8), partitionCount: count), Int(hash & 0x7fffffff) % count)
            }
        }
    }
}
