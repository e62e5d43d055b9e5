import Foundation
import XCTest
@testable import Sluice

/// A record that JSON cannot decode fails with one line naming the record, the field and the problem.
final class DecodingFailureTests: XCTestCase {
    struct Item: Codable { var price: Double }
    struct Order: Codable {
        var customer: String
        var items: [Item]
    }

    private func failure(_ json: String) -> String {
        do {
            _ = try JSONCodec<Order>().deserialize(Array(json.utf8))
            return "decoded"
        } catch {
            let text = "\(RecordFailure(topic: "orders", partition: 2, offset: 41, operatorName: "deserialize", underlying: error))"
            XCTAssertFalse(text.contains("\n"), text)
            return text
        }
    }

    func testTheFieldIsNamed() {
        let place = "record at topic orders, partition 2, offset 41 failed in deserialize: "
        XCTAssertEqual(failure(#"{"items":[]}"#), place + "missing field customer")
        XCTAssertTrue(failure(#"{"customer":"c1","items":[{"price":1},{"price":"cheap"}]}"#)
            .hasPrefix(place + "field items[1].price: expected Double: "))
        XCTAssertEqual(failure(#"{"customer":null,"items":[]}"#), place + "field customer: expected String, found null")
        XCTAssertTrue(failure("{not json").hasPrefix(place), failure("{not json"))
        XCTAssertFalse(failure("{not json").contains("Context("), "no dump of the decoding context")
    }
}
