import Foundation
import XCTest
import Sluice
import SluiceTesting

/// Null record values (tombstones) stay distinct from empty ones from source to sink.
final class NullValueTests: XCTestCase {
    /// Tombstones in, tombstones out: a job over `String?` values keeps nil and "" apart.
    func testTombstoneInTombstoneOutAndEmptyStaysEmpty() throws {
        let driver = TestDriver(jobName: "nulls") { env, topics in
            env.fromSource(try topics.source(topics: ["in"]), deserializer: OptionalCodec(UTF8StringCodec()))
                .map { $0.map { $0.uppercased() + "!" } }
                .sink(to: topics.sink(topic: "out"), serializer: OptionalCodec(UTF8StringCodec()))
        }
        defer { _ = try? driver.close() }
        let input = try driver.input("in", partitions: 1, serializer: OptionalCodec(UTF8StringCodec()))
        let values: [String?] = ["a", nil, "", nil, "bc"]
        try input.pipe(values: values)
        let raw = try driver.output("out", deserializer: OptionalCodec(BytesCodec())).readValues()
        let expected: [[UInt8]?] = values.map { value in value.map { Array(($0.uppercased() + "!").utf8) } }
        XCTAssertEqual(raw, expected)
        XCTAssertEqual(raw.map { $0 == nil }, [false, true, false, true, false], "exactly the two tombstones are null")
    }

    /// `JSONCodec` of an Optional type reads a tombstone as nil and writes nil as a tombstone.
    func testJSONCodecOfOptionalTypeMapsTombstonesToNil() throws {
        struct Order: Codable, Equatable, Sendable { var id: Int; var amount: Int }
        let driver = TestDriver(jobName: "orders") { env, topics in
            env.fromSource(try topics.source(topics: ["orders"]), deserializer: JSONCodec<Order?>())
                .map { $0.map { Order(id: $0.id, amount: $0.amount * 10) } }
                .sink(to: topics.sink(topic: "out"), serializer: JSONCodec<Order?>())
        }
        defer { _ = try? driver.close() }
        let orders = try driver.input("orders", serializer: JSONCodec<Order?>())
        let values: [Order?] = [Order(id: 1, amount: 3), nil, Order(id: 2, amount: 5)]
        try orders.pipe(values: values)
        let out = try driver.output("out", deserializer: OptionalCodec(BytesCodec())).readValues()
        XCTAssertEqual(out.count, 3)
        XCTAssertEqual(try out[0].map { try JSONDecoder().decode(Order.self, from: Data($0)) }, Order(id: 1, amount: 30))
        XCTAssertNil(out[1], "nil is written as a tombstone, not as the JSON text null")
        XCTAssertEqual(try out[2].map { try JSONDecoder().decode(Order.self, from: Data($0)) }, Order(id: 2, amount: 50))
    }

    /// A deserializer of a non-optional type fails the record, naming topic, partition, offset
    /// and "null value"; an empty value is still a valid empty string.
    func testNonOptionalDeserializerFailsANullNamingTheRecord() throws {
        let driver = TestDriver(jobName: "strict") { env, topics in
            env.fromSource(try topics.source(topics: ["names"]), deserializer: UTF8StringCodec())
                .map { "<\($0)>" }
                .sink(to: topics.sink(topic: "out"), serializer: UTF8StringCodec())
        }
        defer { _ = try? driver.close() }
        let names = try driver.input("names", partitions: 2, serializer: OptionalCodec(UTF8StringCodec()))
        try names.pipe([TestRecord(value: "x", partition: 1), TestRecord(value: "", partition: 1)])
        XCTAssertEqual(try driver.output("out", deserializer: UTF8StringCodec()).readValues(), ["<x>", "<>"])
        XCTAssertThrowsError(try names.pipe(value: nil, partition: 1)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("topic names, partition 1, offset 2"), message)
            XCTAssertTrue(message.contains("null value (a tombstone) where String was expected"), message)
        }
    }

    /// Under the dead-letter policy a failed tombstone is dead-lettered as a tombstone, with
    /// its key and the `sluice.dlq.*` headers.
    func testDeadLetteredTombstoneStaysATombstone() throws {
        let deadLetters = CollectSink<SinkRecord>()
        var configuration = JobConfiguration()
        configuration.badInputPolicy = .deadLetter(deadLetters)
        let driver = TestDriver(jobName: "dlq", configuration: configuration) { env, topics in
            env.fromSource(try topics.source(topics: ["in"]), deserializer: JSONCodec<Int>())
                .sink(to: topics.sink(topic: "out"), serializer: JSONCodec<Int>())
        }
        defer { _ = try? driver.close() }
        let input = try driver.input("in", serializer: OptionalCodec(UTF8StringCodec()))
        try input.pipe([TestRecord(value: "7", key: "a"), TestRecord(value: nil, key: "b"), TestRecord(value: "", key: "c")])
        XCTAssertEqual(try driver.output("out", deserializer: JSONCodec<Int>()).readValues(), [7])
        let letters = deadLetters.elements
        XCTAssertEqual(letters.map(\.key), [Array("b".utf8), Array("c".utf8)])
        XCTAssertEqual(letters.map(\.value), [nil, []], "the tombstone stays null, the empty value empty")
        XCTAssertEqual(letters.map { $0.headers.first { $0.key == DeadLetterHeader.offset }?.value }, [Array("1".utf8), Array("2".utf8)])
    }

    /// The codecs' null handling, call by call.
    func testCodecNullHandling() throws {
        XCTAssertNil(try JSONCodec<Int?>().serialize(nullable: nil))
        XCTAssertEqual(try JSONCodec<Int?>().serialize(nullable: 5), Array("5".utf8))
        XCTAssertEqual(try JSONCodec<Int?>().serialize(nil), Array("null".utf8), "plain serialize keeps JSON null (state snapshots)")
        XCTAssertEqual(try JSONCodec<Int>().serialize(nullable: 5), Array("5".utf8))
        let jsonNull: Int? = try JSONCodec<Int?>().deserialize(nullable: nil)
        XCTAssertNil(jsonNull)
        XCTAssertEqual(try JSONCodec<Int?>().deserialize(nullable: Array("8".utf8)), 8)
        XCTAssertThrowsError(try JSONCodec<Int>().deserialize(nullable: nil)) { error in
            XCTAssertEqual(error as? SerializationError, .nullValue(expected: "Int"))
        }
        XCTAssertEqual(try UTF8StringCodec().deserialize(nullable: []), "")
        XCTAssertEqual(try BytesCodec().deserialize(nullable: []), [])
        XCTAssertThrowsError(try BytesCodec().deserialize(nullable: nil))
        let bytesNull: [UInt8]? = try OptionalCodec(BytesCodec()).deserialize(nullable: nil)
        XCTAssertNil(bytesNull)
        XCTAssertEqual(try OptionalCodec(BytesCodec()).deserialize(nullable: []), .some([]))
        XCTAssertNil(try OptionalCodec(UTF8StringCodec()).serialize(nullable: nil))
        XCTAssertEqual(try OptionalCodec(UTF8StringCodec()).serialize(nullable: ""), [])
        XCTAssertThrowsError(try OptionalCodec(UTF8StringCodec()).serialize(nil))
        let custom = ClosureCodec<Int?>(serialize: { Array("\($0 ?? -1)".utf8) }, deserialize: { Int(String(decoding: $0, as: UTF8.self)) })
        XCTAssertNil(try custom.serialize(nullable: nil), "a user codec of an Optional type gets the same null handling")
        let customNull: Int? = try custom.deserialize(nullable: nil)
        XCTAssertNil(customNull)
    }
}
