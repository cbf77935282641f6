import Bindings
import Foundation

/// What `roster run --json` prints as the last line of stdout (docs/design.md, "Command line").
struct RunSummary: Encodable {
    var read: Int
    var sent: Int
    var skipped: Int
    var rejected: Int
    var errors_file: String?
    var target: String?
    var imports: [ImportSummary]
    var elapsed_s: Double

    struct ImportSummary: Encodable {
        var id: String
        var status: String
    }

    init(ledger: RunLedger, target: String?, imports: [ImportSummary], elapsed: Duration) {
        let t = ledger.totals
        read = t.read
        sent = t.sent
        skipped = t.skipped
        rejected = t.rejected
        errors_file = ledger.errorsFiles.first
        self.target = target
        self.imports = imports
        elapsed_s = (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18 * 1000).rounded() / 1000
    }

    enum CodingKeys: String, CodingKey {
        case read, sent, skipped, rejected, errors_file, target, imports, elapsed_s
    }

    /// Keeps `errors_file` and `target` as `null` when absent, as the design's shape has them.
    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(read, forKey: .read)
        try c.encode(sent, forKey: .sent)
        try c.encode(skipped, forKey: .skipped)
        try c.encode(rejected, forKey: .rejected)
        try c.encode(errors_file, forKey: .errors_file)
        try c.encode(target, forKey: .target)
        try c.encode(imports, forKey: .imports)
        try c.encode(elapsed_s, forKey: .elapsed_s)
    }

    /// One line of JSON with stable key order.
    func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(self), as: UTF8.self)) ?? "{}"
    }

    /// The stderr line a person reads at the end of a run that touched rows.
    var text: String {
        "rows: \(read) read, \(sent) sent, \(skipped) skipped, \(rejected) rejected"
            + (errors_file.map { " (errors file: \($0))" } ?? "")
    }
}
