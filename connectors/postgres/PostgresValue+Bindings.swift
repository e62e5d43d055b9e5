import Foundation
import NIOCore
import PostgresNIO

extension PostgresValue {
    /// Appends the value to a statement's bind parameters, typed as the case says.
    func append(to binds: inout PostgresBindings) throws {
        switch self {
        case .null: binds.appendNull()
        case .text(let text): binds.append(text)
        case .int64(let number): binds.append(number)
        case .double(let number): binds.append(number)
        case .bool(let flag): binds.append(flag)
        case .bytes(let bytes): binds.append(ByteBuffer(bytes: bytes))
        case .timestamp(let date): binds.append(date)
        case .uuid(let uuid): binds.append(uuid)
        case .numeric(let decimal): try binds.append(decimal)
        case .jsonb(let json): binds.append(JSONBText(text: json))
        }
    }
}

/// JSON text sent as `jsonb` as it is, without decoding and encoding it again.
struct JSONBText: PostgresNonThrowingEncodable {
    /// The binary `jsonb` format's version byte, before the text.
    private static let version: UInt8 = 1
    var text: String

    static var psqlType: PostgresDataType { .jsonb }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        byteBuffer.writeInteger(Self.version)
        byteBuffer.writeString(text)
    }
}
