/// What makes two visible records duplicates of each other.
public enum DuplicateCriterion: Sendable, Equatable {
    /// The same key and the same value, byte for byte (null equals null).
    case keyAndValue
    /// The same key, byte for byte. Records with a null key have no key to share, and are
    /// counted apart rather than compared.
    case key
    /// The same value of a top-level field of a JSON object value. Values that are not a JSON
    /// object, or lack the field, are counted apart rather than compared.
    case field(String)
}
