import LuaRuntime
import Pipeline
import Tabular
import Toolkit

/// The customer's toolkit in Lua: `roster.phone`, `roster.email`, `roster.text`, `roster.date` and `roster.dedupe`. Helpers return a value, or nil and a reason a transform can pass on:
/// `local phone, why = roster.phone.e164(row.Mobile, "AU"); if not phone then return nil, why end`.
enum ToolkitBinding {
    static func define(on s: LuaStack, into module: Int32) {
        s.newTable()
        s.push(function: { s in
            let (value, region) = try phoneArguments(s, "e164")
            return pushResult(PhoneNumbers.e164(value, region: region), on: s)
        })
        s.setField("e164", in: -2)
        s.push(function: { s in
            let (value, region) = try phoneArguments(s, "parse")
            let (info, reason) = PhoneNumbers.parse(value, region: region)
            guard let info else { return pushResult((nil, reason), on: s) }
            s.push(LuaValue.table(LuaTable(fields: [
                "e164": .string(info.e164), "national": .string(info.national), "international": .string(info.international),
                "region": .string(info.region), "country_code": .integer(Int64(info.countryCode)), "type": .string(info.type),
                "valid": .boolean(info.valid),
            ])))
            return 1
        })
        s.setField("parse", in: -2)
        s.push(function: { s in
            let value = try text(s, 1, "phone.format")
            let name = try s.checkString(2, function: "phone.format")
            guard let style = PhoneNumbers.Style(rawValue: name) else {
                throw RosterScriptError("roster.phone.format: style must be \"e164\", \"national\" or \"international\", got \"\(name)\"")
            }
            return pushResult(PhoneNumbers.format(value, style: style, region: try region(s, 3, "phone.format")), on: s)
        })
        s.setField("format", in: -2)
        s.setField("phone", in: module)

        s.push(function: { s in try dedupe(s) })
        s.setField("dedupe", in: module)

        s.newTable()
        s.push(function: { s in pushResult(EmailAddress.normalize(try text(s, 1, "email.normalize")), on: s) })
        s.setField("normalize", in: -2)
        s.push(function: { s in
            if let problem = EmailAddress.problem(in: try text(s, 1, "email.valid")) {
                s.push(false)
                s.push(problem)
                return 2
            }
            s.push(true)
            return 1
        })
        s.setField("valid", in: -2)
        s.setField("email", in: module)

        s.newTable()
        let plain: [(String, (String) -> String)] = [("upper", TextTools.upper), ("lower", TextTools.lower), ("title", TextTools.title),
                                                    ("trim", TextTools.trim), ("nfc", TextTools.nfc)]
        for (name, function) in plain {
            let qualified = "text.\(name)"  // made once, not on every call
            s.push(function: { s in
                s.push(function(try text(s, 1, qualified)))
                return 1
            })
            if name == "upper" || name == "lower" { s.wrapInCaseMapping(upper: name == "upper") }
            s.setField(name, in: -2)
        }
        s.push(function: { s in pushResult(TextTools.ascii(try text(s, 1, "text.ascii")), on: s) })
        s.setField("ascii", in: -2)
        s.push(function: { s in
            let name = PersonName(splitting: try text(s, 1, "text.split_name"))
            var fields: [LuaValue: LuaValue] = [:]
            for (key, value) in [("prefix", name.prefix), ("first", name.first), ("middle", name.middle), ("last", name.last), ("suffix", name.suffix)] {
                if let value { fields[.string(key)] = .string(value) }
            }
            s.push(LuaValue.table(LuaTable(fields: fields)))
            return 1
        })
        s.setField("split_name", in: -2)
        s.setField("text", in: module)

        s.newTable()
        s.push(function: { s in
            let value = try text(s, 1, "date.parse")
            var options = DateParsing.Options()
            switch s.type(at: 2) {
            case .none, .nil: break
            case .table:
                try OptionReader.check(TableBinding.keys(of: 2, on: s), known: ["formats", "day_first"], function: "roster.date.parse")
                switch s.getField("formats", in: 2) {
                case .nil: break
                case .table:
                    guard case .table(let t) = try s.value(at: -1), t.fields.isEmpty, t.array.allSatisfy({ $0.stringValue != nil }) else {
                        throw RosterScriptError("roster.date.parse: formats is a list of patterns such as { \"%d/%m/%Y\", \"%Y-%m-%d\" }")
                    }
                    options.formats = t.array.compactMap(\.stringValue)
                default: throw RosterScriptError("roster.date.parse: formats is a list of patterns such as { \"%d/%m/%Y\" }")
                }
                s.pop()
                switch s.getField("day_first", in: 2) {
                case .nil: break
                case .boolean: options.dayFirst = s.boolean(at: -1)
                default: throw RosterScriptError("roster.date.parse: day_first must be true (03/04 is 3 April) or false (March 4)")
                }
                s.pop()
            default: throw s.argumentError(2, function: "date.parse", expected: "table")
            }
            return pushResult(DateParsing.parse(value, options: options), on: s)
        })
        s.setField("parse", in: -2)
        s.setField("date", in: module)
    }

    /// Pushes `value`, or nil and the reason; returns the number of results.
    static func pushResult(_ result: (String?, String?), on s: LuaStack) -> Int32 {
        if let value = result.0 {
            s.push(value)
            return 1
        }
        s.pushNil()
        s.push(result.1 ?? "invalid")
        return 2
    }

    /// Argument `index` as text: a string, or a number as Lua writes it (spreadsheet digits arrive as numbers).
    static func text(_ s: LuaStack, _ index: Int32, _ function: String) throws -> String {
        switch s.type(at: index) {
        case .string, .number: return s.string(at: index) ?? ""
        default: throw s.argumentError(index, function: function, expected: "string")
        }
    }

    static func region(_ s: LuaStack, _ index: Int32, _ function: String) throws -> String? {
        guard let region = try s.optionalString(index, function: function) else { return nil }
        guard region.utf8.count == 2 else {
            throw RosterScriptError("roster.\(function): region must be a two-letter ISO 3166 code such as \"US\", got \"\(region)\"")
        }
        return region
    }

    static func phoneArguments(_ s: LuaStack, _ name: String) throws -> (String, String?) {
        (try text(s, 1, "phone.\(name)"), try region(s, 2, "phone.\(name)"))
    }

    /// `roster.dedupe(src, key [, { keep = "first" | "last" }])`: a lazy stage that skips every record
    /// whose key was seen (first) or is seen again later (last), with `duplicate of row N` as the reason.
    /// `key` is a column name, a list of them, or a function of the row; an empty key is never a duplicate.
    static func dedupe(_ s: LuaStack) throws -> Int32 {
        let src = try TableBinding.source(s, "dedupe")
        var keepLast = false
        if s.type(at: 3) == .table {
            try OptionReader.check(TableBinding.keys(of: 3, on: s), known: ["keep"], function: "roster.dedupe")
            switch try TableBinding.optionString(s, "keep", in: 3, "dedupe") {
            case nil, "first"?: break
            case "last"?: keepLast = true
            case let other?: throw RosterScriptError("roster.dedupe: keep must be \"first\" or \"last\", got \"\(other)\"")
            }
        } else if s.type(at: 3) != .nil && s.type(at: 3) != .none {
            throw s.argumentError(3, function: "dedupe", expected: "table")
        }
        // The key: column names, or a Lua function kept in the registry.
        var columns: [String] = []
        var keyFunction: LuaRef?
        switch s.type(at: 2) {
        case .string: columns = [s.string(at: 2) ?? ""]
        case .table:
            guard case .table(let t) = try s.value(at: 2), !t.array.isEmpty, t.fields.isEmpty,
                  t.array.allSatisfy({ $0.stringValue != nil }) else {
                throw RosterScriptError("roster.dedupe: key must be a column name, a list of column names, or a function(row)")
            }
            columns = t.array.compactMap(\.stringValue)
        case .function:
            s.pushCopy(of: 2)
            keyFunction = s.ref()
        default: throw s.argumentError(2, function: "dedupe", expected: "column name, list of names or function")
        }
        let header = src.table.reader.header
        for c in columns where !header.contains(c) {
            let hint = nearestName(to: c, in: header).map { " (did you mean \"\($0)\"?)" } ?? ""
            throw RosterScriptError("roster.dedupe: no column \"\(c)\" in \(src.table.path)\(hint)")
        }
        var last: [String: Int] = [:]
        if keepLast {
            guard keyFunction == nil, src.stages.isEmpty, let options = src.table.readOptions else {
                throw RosterScriptError("roster.dedupe: keep = \"last\" reads the file a second time and compares source columns: "
                                        + "give column names, and dedupe the source before map/filter")
            }
            let indexes = columns.compactMap { header.firstIndex(of: $0) }
            let reader = try Tables.open(path: src.table.path, options: options)
            while let event = try reader.next() {
                guard case .record(let r) = event else { continue }
                let key = indexes.map { $0 < r.values.count ? r.values[$0] : "" }
                if key.contains(where: { !$0.isEmpty }) { last[key.joined(separator: "\u{1F}")] = r.number }
            }
        }
        var first: [String: Int] = [:]
        s.push(function: { s in
            let key: String
            if let keyFunction {
                keyFunction.push(on: s)
                s.pushCopy(of: 1)
                try s.call(arguments: 1, results: 1)
                key = s.type(at: -1) == .nil ? "" : (s.string(at: -1) ?? "")
                s.pop()
            } else {
                var parts: [String] = []
                for c in columns {
                    s.getField(c, in: 1)
                    parts.append(s.string(at: -1) ?? "")
                    s.pop()
                }
                key = parts.contains(where: { !$0.isEmpty }) ? parts.joined(separator: "\u{1F}") : ""
            }
            s.getField("row", in: 2)
            let row = Int(s.integer(at: -1) ?? 0)
            s.pop()
            guard !key.isEmpty else { s.push(true); return 1 }
            let kept: Int
            if keepLast {
                kept = last[key] ?? row
            } else {
                if first[key] == nil { first[key] = row }
                kept = first[key] ?? row
            }
            if kept == row {
                s.push(true)
                return 1
            }
            s.push(false)
            s.push("duplicate of row \(kept)")
            return 2
        })
        let function = s.ref()
        let stage = RowStage.make(kind: .filter, function: function, name: "dedupe", sourcePath: src.table.path, on: s)
        s.push(object: RowSource(table: src.table, stages: src.stages + [stage]), className: RowSource.className)
        return 1
    }
}
