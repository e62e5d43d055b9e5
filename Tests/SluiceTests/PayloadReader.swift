import Foundation
import XCTest
@testable import Sluice

/// Reads list payloads (a count, then length-prefixed elements) and map payloads (a count, then
/// length-prefixed keys and values) as the state backend documents them.
enum PayloadReader {
    static func list<Element: Decodable>(_ payload: [UInt8], of _: Element.Type) throws -> [Element] {
        var reader = SnapshotReader(payload)
        var elements: [Element] = []
        for _ in 0..<(try reader.readUInt32()) {
            elements.append(try JSONDecoder().decode(Element.self, from: Data(try reader.readBytes())))
        }
        XCTAssertTrue(reader.isAtEnd)
        return elements
    }

    static func map<MapKey: Decodable & Hashable, Value: Decodable>(
        _ payload: [UInt8], of _: MapKey.Type, _: Value.Type
    ) throws -> [MapKey: Value] {
        var reader = SnapshotReader(payload)
        var map: [MapKey: Value] = [:]
        for _ in 0..<(try reader.readUInt32()) {
            let key = try JSONDecoder().decode(MapKey.self, from: Data(try reader.readBytes()))
            map[key] = try JSONDecoder().decode(Value.self, from: Data(try reader.readBytes()))
        }
        XCTAssertTrue(reader.isAtEnd)
        return map
    }

    /// A window operator's entry: per window, start, end and the accumulator as JSON.
    static func windows<Accumulator: Decodable>(_ payload: [UInt8], of _: Accumulator.Type) throws -> [TimeWindow: Accumulator] {
        var reader = SnapshotReader(payload)
        var windows: [TimeWindow: Accumulator] = [:]
        for _ in 0..<(try reader.readUInt32()) {
            let window = TimeWindow(start: try reader.readInt64(), end: try reader.readInt64())
            windows[window] = try JSONDecoder().decode(Accumulator.self, from: Data(try reader.readBytes()))
        }
        XCTAssertTrue(reader.isAtEnd)
        return windows
    }

    /// A process function's timers entry: event-time timestamps, then processing-time ones.
    static func timers(_ payload: [UInt8]) throws -> (event: Set<Int64>, processing: Set<Int64>) {
        var reader = SnapshotReader(payload)
        var domains: [Set<Int64>] = []
        for _ in 0..<2 {
            var timestamps = Set<Int64>()
            for _ in 0..<(try reader.readUInt32()) {
                timestamps.insert(try reader.readInt64())
                _ = try reader.readUInt64()
            }
            domains.append(timestamps)
        }
        XCTAssertTrue(reader.isAtEnd)
        return (domains[0], domains[1])
    }

    static func key(_ bytes: [UInt8]) throws -> String {
        try XCTUnwrap(String(validating: bytes, as: UTF8.self))
    }
}
