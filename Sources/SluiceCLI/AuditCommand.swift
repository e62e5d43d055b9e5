import ArgumentParser
import Foundation
import KafkaLog

/// `sluice audit <topic>`: what a read_committed reader sees of a topic, classified from its
/// record batches, and the duplicates among it.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "What a read_committed reader sees of a topic, and the duplicates in it.",
        discussion: """
            Reads every partition of the topic from its leader, from the earliest offset to the \
            end, with read_uncommitted Fetch requests, and classifies the record batches \
            themselves (KIP-98's read_committed rule, without trusting the broker's aborted \
            index): a transactional batch is committed or aborted by its producer's next COMMIT \
            or ABORT marker in the partition, or open when none follows; the last stable offset \
            is the first offset of the earliest open transaction (the log end when none is \
            open); a read_committed reader sees now the committed and plain records below it. \
            Transactions are counted per partition they wrote to.

            Prints one row per partition: PARTITION, LOG END, LSO (last stable offset), \
            TXN C/A/O (committed, aborted, open transactions), COMMITTED, ABORTED, OPEN, PLAIN \
            (records), HIDDEN (committed and plain records at or beyond the LSO), VISIBLE; a \
            total row; then the duplicates among the visible records, each group with the \
            partition@offset of every copy, or "no duplicates".

            Duplicates are records with the same key and value (default), the same key \
            (--key; records with a null key are counted apart), or the same value of a \
            top-level field of a JSON object value (--field NAME; values that are not a JSON \
            object or lack the field are counted, and the first is named, but do not fail \
            the audit).

            --json writes one object: topic, bootstrap, partitions (partition, log_end_offset, \
            last_stable_offset, high_watermark, transactions {committed, aborted, open}, \
            records {committed, aborted, open, plain, hidden_behind_lso, visible}), \
            transactions, records (the totals), duplicates (by: "key_and_value" | "key" | \
            "field", field, group_count, extra_copies, incomparable, first_incomparable \
            {partition, offset} or null, groups [{key, key_b64, value, value_b64, field_value, \
            copies [{partition, offset}]}]); key and value are UTF-8 text or null, the *_b64 \
            fields the exact bytes; null where a field does not apply.

            Speaks PLAINTEXT only: --property takes only security.protocol=plaintext and \
            client.id; SASL or SSL settings, or any other property, are refused (exit 2) \
            rather than ignored. --verbose prints each batch's classification on standard error.

            Exit status: 0 no duplicates, 1 duplicates found, 2 the topic could not be audited \
            (brokers unreachable, unknown topic, a broker without Fetch v4, Metadata v4, \
            ListOffsets v1 or ApiVersions v0, a corrupt batch), with one line on standard error.
            """)

    @Argument(help: "The topic to audit.")
    var topic: String

    @OptionGroup var connection: AuditConnectionOptions

    @Flag(name: .customLong("key"), help: "Duplicates are records with the same key.")
    var byKey = false

    @Option(name: .customLong("field"), help: ArgumentHelp(
        "Duplicates are records whose JSON object values have the same value of this top-level field.", valueName: "name"))
    var field: String?

    @Flag(help: "Write JSON instead of a table.")
    var json = false

    /// The exit status when duplicates were found.
    static let duplicatesFound = ExitCode(1)

    func validate() throws {
        if byKey && field != nil { throw ValidationError("--key and --field exclude each other") }
        if let field, field.isEmpty { throw ValidationError("--field takes a field name") }
    }

    var criterion: DuplicateCriterion {
        if byKey { return .key }
        return field.map(DuplicateCriterion.field) ?? .keyAndValue
    }

    func run() throws {
        let clientID = try OperatorError.reporting { try connection.clientID() }
        let audit = try OperatorError.reporting {
            let client = try KafkaLogClient(bootstrap: connection.bootstrap, timeout: connection.timeout, clientID: clientID)
            return try TopicAuditor(client: client).audit(topic: topic)
        }
        if connection.verbose { AuditFormatting.describe(audit) }
        let duplicates = audit.duplicates(by: criterion)
        if json {
            print(try AuditJSON.text(AuditJSON.object(audit, duplicates: duplicates, bootstrap: connection.bootstrap)))
        } else {
            print(AuditFormatting.report(audit, duplicates: duplicates, bootstrap: connection.bootstrap))
        }
        if !duplicates.groups.isEmpty { throw Self.duplicatesFound }
    }
}
