/// Both directions for one type: what keyed state needs to snapshot and restore its contents.
public protocol Codec<Value>: Serializer, Deserializer {
    associatedtype Value
}
