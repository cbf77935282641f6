// Column names a script can rely on: never blank, never repeated.

enum HeaderNames {
    /// Makes names unique and non-blank (`Email`, `Email_2`; blank -> `column_3`); returns warnings for each change.
    static func normalize(_ raw: [String]) -> (names: [String], warnings: [String]) {
        var names: [String] = []
        var warnings: [String] = []
        var used = Set<String>()
        var seen: [String: Int] = [:]
        for (index, name) in raw.enumerated() {
            var candidate = name
            if name.allSatisfy({ $0 == " " || $0 == "\t" }) {
                candidate = "column_\(index + 1)"
                warnings.append("column \(index + 1) has a blank header: named it \(candidate)")
            } else if used.contains(name) {
                var n = (seen[name] ?? 1) + 1
                while used.contains("\(name)_\(n)") { n += 1 }
                seen[name] = n
                candidate = "\(name)_\(n)"
                warnings.append("column \(index + 1) repeats the header \"\(name)\": named it \(candidate)")
            }
            while used.contains(candidate) { candidate += "_" }
            used.insert(candidate)
            names.append(candidate)
        }
        return (names, warnings)
    }

    /// Names `column_1`, `column_2`, ... for files read without a header row (the same form as a blank header gets).
    static func numbered(_ count: Int) -> [String] { (0 ..< count).map { "column_\($0 + 1)" } }
}

/// Warnings of one kind: the first few verbatim, the rest counted.
struct WarningLog: Sendable, Equatable {
    private(set) var messages: [String] = []
    private var overflow: [String: Int] = [:]
    private var counts: [String: Int] = [:]
    private var order: [String] = []
    static let perKindLimit = 10

    /// Records a warning of `kind`; after the limit only the count grows (and the message is never built).
    mutating func add(_ message: @autoclosure () -> String, kind: String = "general") {
        let n = (counts[kind] ?? 0) + 1
        counts[kind] = n
        if n <= Self.perKindLimit || kind == "general" {
            messages.append(message())
        } else {
            if overflow[kind] == nil { order.append(kind) }
            overflow[kind, default: 0] += 1
        }
    }

    /// All messages, with one summary line per kind that overflowed.
    var all: [String] {
        messages + order.map { "... and \(overflow[$0] ?? 0) more \($0) warnings" }
    }
}

/// The closest name to `word` among `candidates` (for "did you mean" hints), if one is close.
public func nearestName(to word: String, in candidates: some Sequence<String>) -> String? {
    func distance(_ a: [Character], _ b: [Character]) -> Int {
        var previous = Array(0 ... b.count)
        for (i, ca) in a.enumerated() {
            var current = [i + 1]
            for (j, cb) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (ca == cb ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
    let w = Array(word.lowercased())
    let best = candidates.map { ($0, distance(w, Array($0.lowercased()))) }.min { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }
    guard let best, best.1 <= max(2, w.count / 3) else { return nil }
    return best.0
}
