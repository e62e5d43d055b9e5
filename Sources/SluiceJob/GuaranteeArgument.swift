import ArgumentParser
import Sluice

/// `--guarantee`: the job's ``DeliveryGuarantee`` by its name.
enum GuaranteeArgument: String, ExpressibleByArgument, CaseIterable {
    case exactlyOnce = "exactly-once"
    case atLeastOnce = "at-least-once"
    case none

    /// The engine's guarantee.
    var guarantee: DeliveryGuarantee {
        switch self {
        case .exactlyOnce: .exactlyOnce
        case .atLeastOnce: .atLeastOnce
        case .none: .none
        }
    }
}
