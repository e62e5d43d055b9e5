/// How a job's result lines differ from the expected ones, for failure messages: results are
/// `key fields <tab> values`, compared per key (the first `keyFields` tab-separated fields).
struct ResultDiff: CustomStringConvertible {
    let lines: [String]
    let expected: [String]
    let keyFields: Int

    var description: String {
        func split(_ line: String) -> (String, String) {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            return (fields.prefix(keyFields).joined(separator: "\t"), fields.dropFirst(keyFields).joined(separator: "\t"))
        }
        var got: [String: [String]] = [:]
        for line in lines { got[split(line).0, default: []].append(split(line).1) }
        var want: [String: String] = [:]
        for line in expected { want[split(line).0] = split(line).1 }
        var report: [String] = []
        for key in Set(got.keys).union(want.keys).sorted() where got[key] != want[key].map({ [$0] }) {
            report.append("\(key.replacingOccurrences(of: "\t", with: " ")): got \(got[key] ?? []), expected \(want[key] ?? "nothing")")
        }
        return "\(report.count) keys differ: " + report.prefix(12).joined(separator: "; ")
    }
}
