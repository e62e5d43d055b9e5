import ArgumentParser
import Foundation
import KafkaLog
import RdKafka
import SluiceKafka

/// How operator commands fail: one line on standard error naming what is wrong, and exit
/// status 2, rather than a Swift error dump, so scripts can tell "failed" from "found nothing";
/// a librdkafka property librdkafka refuses is a usage error, exit status 64.
enum OperatorError {
    /// The exit status of a command that could not answer.
    static let exitCode = ExitCode(2)

    /// Runs `body`; a catalog, librdkafka, Kafka log or refused-property error becomes one line on standard error and
    /// ``exitCode``, a ``RdKafka/KafkaConfigurationError`` one line and `ExitCode.validationFailure`.
    static func reporting<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as CheckpointCatalogError {
            throw fail("\(error)")
        } catch let error as JobOffsetsError {
            throw fail("\(error)")
        } catch let error as KafkaConfigurationError {
            throw fail("\(error)", exitCode: .validationFailure)
        } catch let error as KafkaError {
            throw fail(error.message)
        } catch let error as KafkaLogError {
            throw fail("\(error)")
        } catch let error as AuditConnectionOptions.Refused {
            throw fail("\(error)")
        }
    }

    private static func fail(_ message: String, exitCode: ExitCode = exitCode) -> ExitCode {
        FileHandle.standardError.write(Data("sluice: error: \(message)\n".utf8))
        return exitCode
    }
}
