// Cell values as people see them: integer-valued numbers as digits, dates as ISO 8601.

/// How a number format shows a serial number.
enum DateKind: Equatable {
    case date, time, dateTime
}

enum CellFormatting {
    /// The date kind of a built-in number format id, or nil when it is not a date format.
    static func builtinDateKind(_ id: Int) -> DateKind? {
        switch id {
        case 14 ... 17: return .date
        case 18 ... 21, 45 ... 47: return .time
        case 22: return .dateTime
        default: return nil
        }
    }

    /// The date kind of a custom format code: d/m/y/h/s outside quotes, brackets and escapes.
    static func customDateKind(_ code: String) -> DateKind? {
        var hasDate = false
        var hasTime = false
        var hasMonthOrMinute = false
        var inQuotes = false
        var inBrackets = false
        var escaped = false
        // Only the first section (positive numbers) matters.
        for c in code.lowercased() {
            if escaped { escaped = false; continue }
            if inQuotes { if c == "\"" { inQuotes = false }; continue }
            if inBrackets { if c == "]" { inBrackets = false }; continue }
            switch c {
            case "\\", "_", "*": escaped = true
            case "\"": inQuotes = true
            case "[": inBrackets = true
            case ";": return kind(hasDate, hasTime, hasMonthOrMinute)
            case "d", "y": hasDate = true
            case "h", "s": hasTime = true
            case "m": hasMonthOrMinute = true
            default: break
            }
        }
        return kind(hasDate, hasTime, hasMonthOrMinute)
    }

    private static func kind(_ date: Bool, _ time: Bool, _ m: Bool) -> DateKind? {
        if date && time { return .dateTime }
        if date || (m && !time) { return .date }
        if time { return .time }
        return nil
    }

    /// The number as a person reads it: integer-valued doubles as digits, others as the shortest round-trip form.
    static func number(_ text: String) -> String {
        var plainInteger = !text.isEmpty
        for (index, c) in text.utf8.enumerated() where !(c >= 0x30 && c <= 0x39) && !(index == 0 && c == UInt8(ascii: "-")) {
            plainInteger = false
            break
        }
        if plainInteger { return text }
        guard let value = Double(text), value.isFinite else { return text }
        if value == value.rounded(), abs(value) < 1e17 {
            return String(Int64(value))
        }
        return "\(value)"
    }

    /// A serial date as ISO 8601 (`2020-02-28`, `2020-02-28T13:45:00`, or `13:45:00` for times of day).
    static func date(serial: Double, kind: DateKind, date1904: Bool) -> String? {
        guard serial.isFinite, serial >= 0, serial < 2_958_466 else { return nil }
        var days = Int(serial.rounded(.down))
        var seconds = Int(((serial - Double(days)) * 86_400).rounded())
        if seconds >= 86_400 { days += 1; seconds -= 86_400 }
        let epoch: Int
        if date1904 {
            epoch = -24_107 // 1904-01-01
        } else {
            // Excel counts the fictitious 1900-02-29 (serial 60).
            epoch = days < 60 ? -25_568 : -25_569
        }
        let (y, m, d) = civil(daysSince1970: epoch + days)
        let time = "\(pad(seconds / 3600)):\(pad(seconds / 60 % 60)):\(pad(seconds % 60))"
        let day = "\(y < 1000 ? String(repeating: "0", count: 4 - String(y).count) : "")\(y)-\(pad(m))-\(pad(d))"
        switch kind {
        case .date: return seconds == 0 ? day : "\(day)T\(time)"
        case .dateTime: return "\(day)T\(time)"
        case .time: return days == 0 ? time : "\(day)T\(time)"
        }
    }

    private static func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// Proleptic Gregorian date for a day count from 1970-01-01 (era arithmetic over 400-year cycles).
    static func civil(daysSince1970 z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let d = dayOfYear - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yearOfEra + era * 400 + (m <= 2 ? 1 : 0)
        return (y, m, d)
    }

    /// Columns a worksheet can have (A...XFD).
    static let maxColumns = 16_384
    /// Rows a worksheet can have.
    static let maxRows = 1_048_576

    /// Zero-based column index from a cell reference such as `AB12`; nil when there are no letters;
    /// `maxColumns` or more when it is past XFD (counting stops there, so it never overflows).
    static func column(_ reference: UnsafeBufferPointer<UInt8>) -> Int? {
        var value = 0
        var letters = 0
        for c in reference {
            if c >= 0x41 && c <= 0x5A { value = value * 26 + Int(c - 0x40) } else if c >= 0x61 && c <= 0x7A { value = value * 26 + Int(c - 0x60) } else { break }
            letters += 1
            if value > maxColumns { return maxColumns }
        }
        return letters == 0 ? nil : value - 1
    }

    /// `A`, `B`, ... `AA` for a zero-based column index.
    static func columnName(_ index: Int) -> String {
        var n = index + 1
        var name = ""
        while n > 0 {
            let r = (n - 1) % 26
            name = String(UnicodeScalar(UInt8(65 + r))) + name
            n = (n - 1) / 26
        }
        return name
    }
}
