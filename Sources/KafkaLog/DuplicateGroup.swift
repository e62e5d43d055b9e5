/// Visible records that are duplicates of each other by a ``DuplicateCriterion``.
public struct DuplicateGroup: Sendable, Equatable {
    /// The key they share (``DuplicateCriterion/keyAndValue`` and ``DuplicateCriterion/key``);
    /// `nil` otherwise, or for a shared null key.
    public var key: [UInt8]?
    /// The value they share (``DuplicateCriterion/keyAndValue``); `nil` otherwise, or for a
    /// shared null value.
    public var value: [UInt8]?
    /// The field's value they share as compact JSON with sorted keys
    /// (``DuplicateCriterion/field(_:)``); `nil` otherwise.
    public var fieldValue: String?
    /// Every copy, in partition and offset order; at least two.
    public var copies: [RecordPosition]
}
