import NIOSSL
import PostgresNIO

extension PostgresTLS {
    /// PostgresNIO's TLS mode for this setting, with its TLS context (made once per sink: a
    /// context loads its trust roots when made).
    func connectionTLS() throws -> PostgresConnection.Configuration.TLS {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch self {
        case .disable:
            return .disable
        case .prefer:
            configuration.certificateVerification = .none
            return .prefer(try NIOSSLContext(configuration: configuration))
        case .require:
            configuration.certificateVerification = .none
            return .require(try NIOSSLContext(configuration: configuration))
        case .verifyFull(let rootCertificate):
            configuration.certificateVerification = .fullVerification
            if let rootCertificate { configuration.trustRoots = .file(rootCertificate) }
            return .require(try NIOSSLContext(configuration: configuration))
        }
    }
}
