// Date (and date-time) parsing for imported contact fields, to ISO 8601 text without a time zone.

/// Parses the date spellings found in contact exports into "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SS".
public enum DateParsing: Sendable {
    public struct Options: Sendable {
        /// strftime-style patterns tried in order: %Y (4 digits), %y (2 digits: 00-68 -> 20xx, 69-99 -> 19xx), %m, %d, %H, %M, %S
        /// (1 or 2 digits), %b/%B (English month name or 3-letter abbreviation), %p (AM/PM), %%, literals; whitespace matches 1+ spaces.
        public var formats: [String]
        /// For numeric dates without formats: true = 03/04/2024 is 3 April, false = March 4, nil = ambiguous dates are refused.
        public var dayFirst: Bool?
        public init(formats: [String] = [], dayFirst: Bool? = nil) {
            self.formats = formats
            self.dayFirst = dayFirst
        }
    }

    /// ISO 8601 ("2024-04-03", or "2024-04-03T14:05:00" when a time was given), or nil + a reason naming the value and the fix.
    /// Without formats: ISO, YYYYMMDD, D/M/YYYY or M/D/YYYY (/ - .), "3 Apr 2024", "April 3, 2024", each with an optional time.
    public static func parse(_ value: String, options: Options = Options()) -> (iso: String?, reason: String?) {
        let text = TextTools.trim(value)
        if text.isEmpty { return (nil, "empty") }
        do throws(DateRefusal) {
            let stamp = options.formats.isEmpty
                ? try parseAuto(text, dayFirst: options.dayFirst)
                : try DateFormats.parse(text, formats: options.formats)
            return (try stamp.iso(for: text), nil)
        } catch {
            return (nil, error.reason)
        }
    }

    // MARK: - Without formats

    private static func parseAuto(_ text: String, dayFirst: Bool?) throws(DateRefusal) -> DateStamp {
        var tokens = text.split(separator: " ").map(String.init)
        // "2024-04-03T14:05": split the ISO date from its time.
        if let head = tokens.first, head.prefix(5).allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-") }),
           let t = head.firstIndex(where: { $0 == "T" || $0 == "t" }) {
            tokens[0...0] = [String(head[..<t]), String(head[head.index(after: t)...])]
        }
        let timeStart = tokens.firstIndex { $0.contains(":") } ?? tokens.count
        let dateText = tokens[..<timeStart].joined(separator: " ")
        if dateText.isEmpty { throw DateRefusal("'\(text)' has no date; write it as YYYY-MM-DD") }
        var stamp = try parseDate(dateText, whole: text, dayFirst: dayFirst)
        if timeStart < tokens.count {
            stamp.time = try DateFormats.parseTime(tokens[timeStart...].joined(separator: " "), whole: text)
        }
        return stamp
    }

    private static func parseDate(_ date: String, whole: String, dayFirst: Bool?) throws(DateRefusal) -> DateStamp {
        let unrecognized = DateRefusal("'\(whole)' is not a recognized date; write it as YYYY-MM-DD or pass formats")
        if date.count == 8, let y = number(date.prefix(4)), let m = number(date.dropFirst(4).prefix(2)),
           let d = number(date.suffix(2)) {
            return DateStamp(year: y, month: m, day: d)  // YYYYMMDD
        }
        if date.contains(where: \.isLetter) { return try parseWords(date, whole: whole, fallback: unrecognized) }
        guard let separator = date.first(where: { !$0.isNumber }), "/-.".contains(separator) else { throw unrecognized }
        let parts = date.split(separator: separator, omittingEmptySubsequences: false)
        guard parts.count == 3, let a = number(parts[0]), let b = number(parts[1]), let c = number(parts[2]) else {
            throw unrecognized
        }
        if parts[0].count == 4 && parts[1].count <= 2 && parts[2].count <= 2 { return DateStamp(year: a, month: b, day: c) }
        guard parts[0].count <= 2 && parts[1].count <= 2 else { throw unrecognized }
        if parts[2].count <= 2 { throw twoDigitYear(whole, format: "%d\(separator)%m\(separator)%y") }
        guard parts[2].count == 4 else { throw unrecognized }
        if a > 12 && b > 12 { throw DateRefusal("'\(whole)' has no month: both \(a) and \(b) are over 12") }
        let isDayFirst: Bool
        if a > 12 || b > 12 || a == b {
            isDayFirst = a > 12 || a == b
        } else if let dayFirst {
            isDayFirst = dayFirst
        } else {
            throw DateRefusal("'\(whole)' is ambiguous (\(a) \(DateStamp.monthNames[b - 1]) or \(DateStamp.monthNames[a - 1]) \(b)); "
                + "pass day_first: true for day/month/year, false for month/day/year")
        }
        return isDayFirst ? DateStamp(year: c, month: b, day: a) : DateStamp(year: c, month: a, day: b)
    }

    /// "3 Apr 2024", "3rd April 2024", "03-Apr-2024", "April 3, 2024", "Apr. 3 2024".
    private static func parseWords(_ date: String, whole: String, fallback: DateRefusal) throws(DateRefusal) -> DateStamp {
        let words = date.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "-" || $0 == "/" }).map(String.init)
        guard words.count == 3 else { throw fallback }
        let parsed: (month: Int, day: Int)
        if let m = DateFormats.month(words[0]), let d = day(words[1]) {
            parsed = (m, d)
        } else if let m = DateFormats.month(words[1]), let d = day(words[0]) {
            parsed = (m, d)
        } else {
            throw fallback
        }
        guard let year = number(words[2]) else { throw fallback }
        if words[2].count <= 2 { throw twoDigitYear(whole, format: "%d %b %y") }
        guard words[2].count == 4 else { throw fallback }
        return DateStamp(year: year, month: parsed.month, day: parsed.day)
    }

    /// A day number, optionally with an English ordinal suffix ("3rd").
    private static func day(_ word: String) -> Int? {
        let lower = word.lowercased()
        let digits = ["st", "nd", "rd", "th"].contains(String(lower.suffix(2))) ? lower.dropLast(2) : Substring(lower)
        return digits.count <= 2 ? number(digits) : nil
    }

    private static func twoDigitYear(_ whole: String, format: String) -> DateRefusal {
        DateRefusal("'\(whole)' has a two-digit year; write the full year or pass an explicit format such as \(format)")
    }

    /// A non-empty run of ASCII digits.
    static func number<S: StringProtocol>(_ text: S) -> Int? {
        guard !text.isEmpty, text.count <= 9, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }
}

/// Why a value is not a date; the reason is shown to the user.
struct DateRefusal: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}

/// Parsed fields, validated when turned into ISO text.
struct DateStamp {
    var year: Int, month: Int, day: Int
    var time: (hour: Int, minute: Int, second: Int)?

    static let monthNames = ["January", "February", "March", "April", "May", "June", "July",
                             "August", "September", "October", "November", "December"]

    func iso(for text: String) throws(DateRefusal) -> String {
        guard (1...9999).contains(year) else { throw DateRefusal("'\(text)' has year \(year); years are 1-9999") }
        guard (1...12).contains(month) else { throw DateRefusal("'\(text)' has month \(month); months are 1-12") }
        let date = pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard (1...days).contains(day) else {
            throw DateRefusal("\(date) is not a date: \(Self.monthNames[month - 1]) \(year) has \(days) days")
        }
        guard let time else { return date }
        let (h, m, s) = time
        guard (0...23).contains(h), (0...59).contains(m), (0...59).contains(s) else {
            throw DateRefusal("'\(text)' has the time \(pad(h, 2)):\(pad(m, 2)):\(pad(s, 2)), which does not exist; use 00:00:00-23:59:59")
        }
        return date + "T" + pad(h, 2) + ":" + pad(m, 2) + ":" + pad(s, 2)
    }

    private func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

/// Explicit strftime-style formats and the time-of-day reader shared with the automatic forms.
enum DateFormats {
    /// Tries each format in order; a format that matches but names an impossible date reports that instead.
    static func parse(_ text: String, formats: [String]) throws(DateRefusal) -> DateStamp {
        var firstInvalid: DateRefusal?
        for format in formats {
            try check(format)
            guard let stamp = try match(Array(text), Array(format)) else { continue }
            do throws(DateRefusal) {
                _ = try stamp.iso(for: text)
                return stamp
            } catch {
                firstInvalid = firstInvalid ?? error
            }
        }
        let list = formats.map { "'\($0)'" }.joined(separator: ", ")
        throw firstInvalid ?? DateRefusal("'\(text)' does not match the format(s) \(list); fix the value or add a format")
    }

    /// Refuses unknown directives and formats that cannot give a whole date.
    private static func check(_ format: String) throws(DateRefusal) {
        var seen = Set<Character>()
        var chars = format.makeIterator()
        while let ch = chars.next() {
            guard ch == "%" else { continue }
            guard let directive = chars.next(), "YymdbBHMSp%".contains(directive) else {
                throw DateRefusal("the format '\(format)' has an unsupported directive; use %Y %y %m %d %b %H %M %S %p or %%")
            }
            seen.insert(directive)
        }
        for (needed, name) in [("Yy", "year (%Y or %y)"), ("mbB", "month (%m or %b)"), ("d", "day (%d)")]
            where !needed.contains(where: seen.contains) {
            throw DateRefusal("the format '\(format)' has no \(name); a date needs year, month and day")
        }
        if seen.contains("p") && !seen.contains("H") { throw DateRefusal("the format '\(format)' has %p but no %H") }
    }

    /// nil when `text` does not fit `format`.
    private static func match(_ text: [Character], _ format: [Character]) throws(DateRefusal) -> DateStamp? {
        var stamp = DateStamp(year: 0, month: 0, day: 0)
        var clock = (hour: 0, minute: 0, second: 0), hasTime = false, pm: Bool?
        var i = 0, j = 0
        func digits(_ range: ClosedRange<Int>) -> Int? {
            var end = j
            while end < text.count, end - j < range.upperBound, text[end].isASCII, text[end].isNumber { end += 1 }
            guard end - j >= range.lowerBound, let value = Int(String(text[j..<end])) else { return nil }
            j = end
            return value
        }
        func word() -> String {
            let start = j
            while j < text.count, text[j].isASCII, text[j].isLetter { j += 1 }
            return String(text[start..<j])
        }
        while i < format.count {
            let ch = format[i]
            i += 1
            if ch.isWhitespace {
                while i < format.count, format[i].isWhitespace { i += 1 }
                guard j < text.count, text[j].isWhitespace else { return nil }
                while j < text.count, text[j].isWhitespace { j += 1 }
                continue
            }
            guard ch == "%", i < format.count else {
                guard j < text.count, text[j] == ch else { return nil }
                j += 1
                continue
            }
            let directive = format[i]
            i += 1
            switch directive {
            case "Y": guard let v = digits(4...4) else { return nil }; stamp.year = v
            case "y": guard let v = digits(2...2) else { return nil }; stamp.year = v < 69 ? 2000 + v : 1900 + v
            case "m": guard let v = digits(1...2) else { return nil }; stamp.month = v
            case "d": guard let v = digits(1...2) else { return nil }; stamp.day = v
            case "b", "B": guard let v = month(word()) else { return nil }; stamp.month = v
            case "H": guard let v = digits(1...2) else { return nil }; clock.hour = v; hasTime = true
            case "M": guard let v = digits(1...2) else { return nil }; clock.minute = v; hasTime = true
            case "S": guard let v = digits(1...2) else { return nil }; clock.second = v; hasTime = true
            case "p":
                switch word().lowercased() {
                case "am": pm = false
                case "pm": pm = true
                default: return nil
                }
            default: guard j < text.count, text[j] == "%" else { return nil }; j += 1
            }
        }
        guard j == text.count else { return nil }
        if let pm { clock.hour = try twelveHour(clock.hour, pm: pm, whole: String(text)) }
        if hasTime { stamp.time = clock }
        return stamp
    }

    /// "14:05", "14:05:09", "2:05 PM"; refuses time zones and fractions with a reason.
    static func parseTime(_ text: String, whole: String) throws(DateRefusal) -> (hour: Int, minute: Int, second: Int) {
        let parts = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        let unrecognized = DateRefusal("'\(whole)' has an unrecognized time; write it as HH:MM or HH:MM:SS")
        guard parts.count >= 2, parts[0].count <= 2, let hour = DateParsing.number(parts[0]),
              let minute = DateParsing.number(parts[1].prefix(2)), parts[1].prefix(2).count == 2 else { throw unrecognized }
        var second = 0
        var rest = parts[1].dropFirst(2)
        if parts.count == 3, rest.isEmpty {
            guard let s = DateParsing.number(parts[2].prefix(2)), parts[2].prefix(2).count == 2 else { throw unrecognized }
            second = s
            rest = parts[2].dropFirst(2)
        }
        let tail = TextTools.trim(String(rest)).lowercased()
        switch tail {
        case "": return (hour, minute, second)
        case "am", "a.m.", "pm", "p.m.": return (try twelveHour(hour, pm: tail.hasPrefix("p"), whole: whole), minute, second)
        default:
            if tail.hasPrefix("."), tail.dropFirst().first?.isNumber == true {
                throw DateRefusal("'\(whole)' has fractional seconds; remove them")
            }
            if tail.hasPrefix("z") || tail.hasPrefix("+") || tail.hasPrefix("-") || tail.hasPrefix("utc") || tail.hasPrefix("gmt") {
                throw DateRefusal("'\(whole)' has a time zone or offset, which is not supported; convert to local time and remove it")
            }
            throw unrecognized
        }
    }

    private static func twelveHour(_ hour: Int, pm: Bool, whole: String) throws(DateRefusal) -> Int {
        guard (1...12).contains(hour) else { throw DateRefusal("'\(whole)' has hour \(hour) with AM/PM; use 1-12 or a 24-hour time") }
        return hour % 12 + (pm ? 12 : 0)
    }

    /// English month name, 3-letter abbreviation or "Sept", any case, with an optional trailing period.
    static func month(_ word: String) -> Int? {
        let lower = word.lowercased().hasSuffix(".") ? String(word.lowercased().dropLast()) : word.lowercased()
        guard lower.count >= 3 else { return nil }
        return DateStamp.monthNames.firstIndex { name in
            let full = name.lowercased()
            return lower == full || lower == full.prefix(3) || (lower == "sept" && full == "september")
        }.map { $0 + 1 }
    }
}
