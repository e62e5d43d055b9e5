import Foundation
import XCTest
import Sluice
import SluiceTesting

/// A point, written by ``PointCodec``.
struct Point: Codable, Equatable, Sendable {
    var x: Int
    var y: Int
}

/// A user-defined codec: points as `x,y` text. (It names its `Value`: Swift 6.3 does not infer
/// it through `Codec`'s primary associated type.)
struct PointCodec: Codec {
    typealias Value = Point

    struct Malformed: Error, CustomStringConvertible {
        var text: String
        var description: String { "not a point: \(text)" }
    }

    func serialize(_ value: Point) -> [UInt8] { Array("\(value.x),\(value.y)".utf8) }

    func deserialize(_ bytes: [UInt8]) throws -> Point {
        let text = String(decoding: bytes, as: UTF8.self)
        let parts = text.split(separator: ",")
        guard parts.count == 2, let x = Int(parts[0]), let y = Int(parts[1]) else { throw Malformed(text: text) }
        return Point(x: x, y: y)
    }
}

/// Records read with key and value deserializers expose every part of the source record, and
/// records written with key and value serializers carry what the job gave them.
final class ConsumedRecordTests: XCTestCase {
    /// What the job below makes of a consumed record, to check every part of it.
    struct Seen: Codable, Equatable, Sendable {
        var point: Point
        var timestamp: Int64
        var topic: String
        var partition: Int32
        var offset: Int64
        var headers: [String]
    }

    func testKeyValueHeadersTimestampTopicPartitionOffsetReachTheJob() throws {
        let driver = TestDriver(jobName: "points") { env, topics in
            env.fromSource(try topics.source(topics: ["points"]), keyDeserializer: UTF8StringCodec(), valueDeserializer: PointCodec())
                .map { record in
                    (record.key.uppercased(),
                     Seen(point: record.value, timestamp: record.timestamp, topic: record.topic, partition: record.partition,
                          offset: record.offset, headers: record.headers.map { "\($0.key)=\(String(decoding: $0.value, as: UTF8.self))" }))
                }
                .sink(to: topics.sink(topic: "seen"), keySerializer: UTF8StringCodec(), valueSerializer: JSONCodec<Seen>())
        }
        defer { _ = try? driver.close() }
        let points = try driver.input("points", partitions: 3, serializer: PointCodec())
        var records: [TestRecord<Point>] = []
        for index in 0..<12 {
            records.append(TestRecord(
                value: Point(x: index, y: -index * 3), key: "key\(index)", timestamp: 1_000 + Int64(index) * 7,
                headers: index % 2 == 0 ? [RecordHeader(key: "h", string: "v\(index)")] : [],
                partition: Int32(index * 5 % 3)))
        }
        try points.pipe(records)

        // The model: offsets count the records before each in its partition.
        var nextOffset: [Int32: Int64] = [:]
        var expected: [String: Seen] = [:]
        for record in records {
            let partition = record.partition!
            let offset = nextOffset[partition, default: 0]
            nextOffset[partition] = offset + 1
            expected[String(decoding: record.key!, as: UTF8.self).uppercased()] = Seen(
                point: record.value, timestamp: record.timestamp!, topic: "points", partition: partition, offset: offset,
                headers: record.headers.map { "\($0.key)=\(String(decoding: $0.value, as: UTF8.self))" })
        }
        let written = try driver.output("seen", deserializer: JSONCodec<Seen>()).readAll()
        XCTAssertEqual(written.count, records.count)
        var actual: [String: Seen] = [:]
        for record in written { actual[try XCTUnwrap(record.keyString)] = record.value }
        XCTAssertEqual(actual, expected)
        XCTAssertEqual(Set(expected.values.map(\.partition)), [0, 1, 2], "the records span every partition")
    }

    /// A consumed record written back keeps its headers and timestamp; the serializers write
    /// its (changed) key and value.
    func testConsumedRecordsWrittenBackKeepHeadersAndTimestamp() throws {
        let driver = TestDriver(jobName: "copy") { env, topics in
            env.fromSource(try topics.source(topics: ["in"]), keyDeserializer: UTF8StringCodec(), valueDeserializer: PointCodec())
                .map { record in
                    var doubled = record
                    doubled.value.x *= 2
                    doubled.key += "!"
                    return doubled
                }
                .sink(to: topics.sink(topic: "out"), keySerializer: UTF8StringCodec(), valueSerializer: PointCodec())
        }
        defer { _ = try? driver.close() }
        let input = try driver.input("in", serializer: PointCodec())
        let records = (0..<5).map { index in
            TestRecord(value: Point(x: index + 1, y: index * index), key: "p\(index)", timestamp: 50 + Int64(index),
                       headers: [RecordHeader(key: "n", string: "\(index)"), RecordHeader(key: "m", value: [UInt8(index)])])
        }
        try input.pipe(records)
        let written = try driver.output("out", deserializer: PointCodec()).readAll()
        XCTAssertEqual(written.map(\.value), records.map { Point(x: $0.value.x * 2, y: $0.value.y) })
        XCTAssertEqual(written.map(\.keyString), records.map { String(decoding: $0.key!, as: UTF8.self) + "!" })
        XCTAssertEqual(written.map(\.headers), records.map(\.headers))
        XCTAssertEqual(written.map(\.timestamp), records.map(\.timestamp))
    }

    /// A null key with a non-optional key deserializer fails the record naming "null key"; an
    /// Optional one reads it as nil and writes nil as a record without key.
    func testNullKeysFailNonOptionalKeyDeserializersAndStayNullThroughOptionalOnes() throws {
        let lenient = TestDriver(jobName: "lenient") { env, topics in
            env.fromSource(try topics.source(topics: ["in"]), keyDeserializer: OptionalCodec(UTF8StringCodec()), valueDeserializer: PointCodec())
                .map { ($0.key, $0.value.x + $0.value.y) }
                .sink(to: topics.sink(topic: "out"), keySerializer: OptionalCodec(UTF8StringCodec()), valueSerializer: JSONCodec<Int>())
        }
        defer { _ = try? lenient.close() }
        let input = try lenient.input("in", serializer: PointCodec())
        try input.pipe([TestRecord(value: Point(x: 1, y: 2), key: "a"), TestRecord(value: Point(x: 3, y: 4), key: nil as String?),
                        TestRecord(value: Point(x: 5, y: 6), key: "")])
        let written = try lenient.output("out", deserializer: JSONCodec<Int>()).readAll()
        XCTAssertEqual(written.map(\.value), [3, 7, 11])
        XCTAssertEqual(written.map(\.key), [Array("a".utf8), nil, []])

        let strict = TestDriver(jobName: "strict") { env, topics in
            env.fromSource(try topics.source(topics: ["in"]), keyDeserializer: UTF8StringCodec(), valueDeserializer: PointCodec())
                .map { $0.key }
                .sink(to: topics.sink(topic: "out"), serializer: UTF8StringCodec())
        }
        defer { _ = try? strict.close() }
        let strictInput = try strict.input("in", partitions: 2, serializer: PointCodec())
        try strictInput.pipe(value: Point(x: 0, y: 0), key: "k", partition: 1)
        XCTAssertThrowsError(try strictInput.pipe([TestRecord(value: Point(x: 0, y: 0), key: nil as String?, partition: 1)])) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("topic in, partition 1, offset 1"), message)
            XCTAssertTrue(message.contains("null key where String was expected"), message)
        }
    }

    /// A key or value that does not decode fails the record, the message saying which.
    func testUndecodableKeyOrValueNamesThePart() throws {
        var configuration = JobConfiguration()
        configuration.badInputPolicy = .fail
        func run(_ record: TestRecord<[UInt8]>) throws -> String {
            let driver = TestDriver(jobName: "parts", configuration: configuration) { env, topics in
                env.fromSource(try topics.source(topics: ["in"]), keyDeserializer: UTF8StringCodec(), valueDeserializer: PointCodec())
                    .map { $0.key }
                    .sink(to: topics.sink(topic: "out"), serializer: UTF8StringCodec())
            }
            defer { _ = try? driver.close() }
            var message = ""
            XCTAssertThrowsError(try driver.input("in").pipe([record])) { message = "\($0)" }
            return message
        }
        let badKey = try run(TestRecord(value: Array("1,2".utf8), key: [0xFF, 0xFE]))
        XCTAssertTrue(badKey.contains("offset 0") && badKey.contains("key: payload of 2 bytes is not valid UTF-8"), badKey)
        let badValue = try run(TestRecord(value: Array("1;2".utf8), key: "k"))
        XCTAssertTrue(badValue.contains("offset 0") && badValue.contains("value: not a point: 1;2"), badValue)
    }
}
