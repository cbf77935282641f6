// Cell values as people see them: integer-valued numbers as digits, dates as ISO 8601.

/// How a number format shows a serial number.
enum DateKind: Equatable {
    case date, time, dateTime
    /// Elapsed time (`[h]:mm:ss`, `[mm]:ss`, `[ss]`): a count of days shown as a duration, not a date.
    case elapsed(ElapsedTime)
}

/// An elapsed-time format: the bracketed unit counts the whole duration, the units after it what is left.
struct ElapsedTime: Equatable {
    enum Unit: Int, Comparable {
        case hours, minutes, seconds
        static func < (a: Unit, b: Unit) -> Bool { a.rawValue < b.rawValue }
    }

    /// The bracketed unit (`[h]`, `[mm]`, `[ss]`).
    var largest: Unit
    /// Its least number of digits (`[hh]` pads to 2).
    var digits: Int
    /// The smallest unit the format shows (seconds for `[h]:mm:ss`, minutes for `[h]:mm`).
    var smallest: Unit
}

enum CellFormatting {
    /// The date kind of a built-in number format id, or nil when it is not a date format.
    static func builtinDateKind(_ id: Int) -> DateKind? {
        switch id {
        case 14 ... 17: return .date
        case 18 ... 21, 45, 47: return .time
        case 46: return .elapsed(ElapsedTime(largest: .hours, digits: 1, smallest: .seconds)) // [h]:mm:ss
        case 22: return .dateTime
        default: return nil
        }
    }

    /// The date kind of a custom format code: d/m/y/h/s outside quotes, brackets and escapes; a bracket
    /// holding only h, m or s letters (`[h]`, `[mm]`, `[ss]`) is elapsed time, not a date or a time of day.
    static func customDateKind(_ code: String) -> DateKind? {
        var hasDate = false
        var hasTime = false
        var hasMonthOrMinute = false
        var hasSeconds = false
        var elapsed: (unit: ElapsedTime.Unit, digits: Int)?
        var inQuotes = false
        var inBrackets = false
        // A bracket's letters so far: the first, how many, and whether all are that one.
        var bracketFirst: Character?
        var bracketCount = 0
        var bracketUniform = true
        var escaped = false
        func result() -> DateKind? {
            if let elapsed, !hasDate {
                let smallest: ElapsedTime.Unit = hasSeconds ? .seconds : (hasMonthOrMinute ? max(elapsed.unit, .minutes) : elapsed.unit)
                return .elapsed(ElapsedTime(largest: elapsed.unit, digits: elapsed.digits, smallest: smallest))
            }
            return kind(hasDate, hasTime, hasMonthOrMinute)
        }
        // Only the first section (positive numbers) matters.
        for c in code.lowercased() {
            if escaped { escaped = false; continue }
            if inQuotes { if c == "\"" { inQuotes = false }; continue }
            if inBrackets {
                guard c == "]" else {
                    if bracketFirst == nil { bracketFirst = c } else if c != bracketFirst { bracketUniform = false }
                    bracketCount += 1
                    continue
                }
                inBrackets = false
                if elapsed == nil, bracketUniform {
                    // Zero padding beyond 16 digits shows nothing a duration can need.
                    let digits = min(bracketCount, 16)
                    switch bracketFirst {
                    case "h": elapsed = (.hours, digits)
                    case "m": elapsed = (.minutes, digits)
                    case "s": elapsed = (.seconds, digits); hasSeconds = true
                    default: break
                    }
                }
                continue
            }
            switch c {
            case "\\", "_", "*": escaped = true
            case "\"": inQuotes = true
            case "[":
                inBrackets = true
                (bracketFirst, bracketCount, bracketUniform) = (nil, 0, true)
            case ";": return result()
            case "d", "y": hasDate = true
            case "h": hasTime = true
            case "s": hasTime = true; hasSeconds = true
            case "m": hasMonthOrMinute = true
            default: break
            }
        }
        return result()
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
        return number(value)
    }

    /// A finite number as `number(_:)` shows its text: integer-valued as digits, others in the shortest
    /// round-trip form (binary workbooks hold doubles, not text).
    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e17 {
            // The digits of Int64(value), as String(Int64(value)) writes them.
            let integer = Int64(value)
            return TextBytes.string(capacity: 20) { text in
                if integer < 0 { text.put(UInt8(ascii: "-")) }
                text.put(digits: UInt(integer.magnitude))
            }
        }
        return "\(value)"
    }

    /// A serial date as ISO 8601 (`2020-02-28`, `2020-02-28T13:45:00`, or `13:45:00` for times of day);
    /// an elapsed-time format as Excel shows it (`255:10:10`).
    static func date(serial: Double, kind: DateKind, date1904: Bool) -> String? {
        if case let .elapsed(format) = kind { return elapsed(days: serial, format) }
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
        let (showDay, showTime): (Bool, Bool)
        switch kind {
        case .date: (showDay, showTime) = (true, seconds != 0)
        case .dateTime: (showDay, showTime) = (true, true)
        case .time: (showDay, showTime) = (days != 0, true)
        case .elapsed: return nil
        }
        // Written as bytes: a sheet of dates calls this once a cell. The year has at least 4 digits (up to 5
        // with the 1904 system); it is never negative, as the serial is not.
        return TextBytes.string(capacity: 32) { text in
            if showDay {
                text.put(digits: y.magnitude, minimum: 4)
                text.put(UInt8(ascii: "-"))
                text.put(digits: m.magnitude, minimum: 2)
                text.put(UInt8(ascii: "-"))
                text.put(digits: d.magnitude, minimum: 2)
                if showTime { text.put(UInt8(ascii: "T")) }
            }
            if showTime {
                text.put(digits: UInt(seconds / 3600), minimum: 2)
                text.put(UInt8(ascii: ":"))
                text.put(digits: UInt(seconds / 60 % 60), minimum: 2)
                text.put(UInt8(ascii: ":"))
                text.put(digits: UInt(seconds % 60), minimum: 2)
            }
        }
    }

    /// A duration of `days` in an elapsed-time format: rounded to the second as Excel shows it, the bracketed
    /// unit counting the whole (`[h]:mm:ss` of 10.6320601851852 is `255:10:10`, `[mm]:ss` is `15310:10`),
    /// units the format leaves out dropped, and a negative duration signed.
    static func elapsed(days: Double, _ format: ElapsedTime) -> String? {
        guard days.isFinite, abs(days) < 2_958_466 else { return nil }
        let total = Int((abs(days) * 86_400).rounded())
        let units: [(ElapsedTime.Unit, Int, Int)] = [(.hours, total / 3600, 0), (.minutes, total / 60, 60), (.seconds, total, 60)]
        var text = total > 0 && days < 0 ? "-" : ""
        for (unit, count, modulus) in units where unit >= format.largest && unit <= format.smallest {
            if unit == format.largest {
                let digits = String(count)
                text += String(repeating: "0", count: max(0, format.digits - digits.count)) + digits
            } else {
                text += ":" + pad(count % modulus)
            }
        }
        return text
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
        TextBytes.string(capacity: 16) { text in text.put(columnOf: index) }
    }

    /// The warning for a cell whose number reads as 9 or more digits: likely a phone number stored as a number.
    /// `shown` is the number as the file holds it. Written as bytes: a column of phone numbers gets one a row.
    static func phoneLikeNote(column: Int, row: Int, shown: String) -> String {
        var shown = shown
        return shown.withUTF8 { number in
            TextBytes.string(capacity: 5 + 16 + 20 + 7 + number.count + phoneLikeNoteEnd.count) { text in
                text.put(Self.cellWord)
                text.put(columnOf: column)
                text.put(digits: row.magnitude)
                text.put(Self.holdsWord)
                text.put(number)
                text.put(Self.phoneLikeNoteEnd)
            }
        }
    }

    private static let cellWord = Array("cell ".utf8)
    private static let holdsWord = Array(" holds ".utf8)
    private static let phoneLikeNoteEnd = Array(" as a number: if it is a phone number, format the column as Text (leading zeros and + are lost)".utf8)

    /// True when `number(value)` shows 9 or more digits and nothing else (no sign, point or exponent): an
    /// integer from 100,000,000 up to the 1e17 where `number` stops writing integers.
    static func looksLikePhoneNumber(_ value: Double) -> Bool {
        value >= 100_000_000 && value < 1e17 && value == value.rounded()
    }

    /// True when `text` is 9 or more ASCII digits and nothing else: the numbers `phoneLikeNote` is for.
    static func looksLikePhoneNumber(_ text: String) -> Bool {
        text.utf8.count >= 9 && text.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }
}

/// Text written as UTF-8 bytes into a buffer of a size known in advance, then made a String once: cheaper than
/// appending to a String piece by piece, for values made once a cell.
struct TextBytes {
    private let buffer: UnsafeMutableBufferPointer<UInt8>
    private var count = 0

    private init(_ buffer: UnsafeMutableBufferPointer<UInt8>) { self.buffer = buffer }

    /// The text `write` puts in a buffer of `capacity` bytes (writing more is a bug, stopped by a precondition).
    static func string(capacity: Int, _ write: (inout TextBytes) -> Void) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer in
            var text = TextBytes(buffer)
            write(&text)
            return String(decoding: UnsafeMutableBufferPointer(rebasing: buffer[..<text.count]), as: UTF8.self)
        }
    }

    mutating func put(_ byte: UInt8) {
        precondition(count < buffer.count, "text longer than its buffer")
        buffer[count] = byte
        count += 1
    }

    mutating func put(_ bytes: UnsafeBufferPointer<UInt8>) {
        precondition(bytes.count <= buffer.count - count, "text longer than its buffer")
        guard let base = buffer.baseAddress, let source = bytes.baseAddress else { return }
        (base + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    mutating func put(_ bytes: [UInt8]) { bytes.withUnsafeBufferPointer { put($0) } }

    /// `value` in decimal, zero-padded to `minimum` digits.
    mutating func put(digits value: UInt, minimum: Int = 1) {
        var width = 1
        var rest = value
        while rest >= 10 {
            rest /= 10
            width += 1
        }
        width = max(width, minimum)
        precondition(width <= buffer.count - count, "text longer than its buffer")
        rest = value
        for k in stride(from: count + width - 1, through: count, by: -1) {
            buffer[k] = 0x30 + UInt8(truncatingIfNeeded: rest % 10)
            rest /= 10
        }
        count += width
    }

    /// The letters of zero-based column `index` (`A`, `Z`, `AA`...); nothing for a negative index.
    mutating func put(columnOf index: Int) {
        var width = 0
        var n = index + 1
        while n > 0 {
            n = (n - 1) / 26
            width += 1
        }
        precondition(width <= buffer.count - count, "text longer than its buffer")
        n = index + 1
        for k in stride(from: count + width - 1, through: count, by: -1) {
            buffer[k] = 65 + UInt8(truncatingIfNeeded: (n - 1) % 26)
            n = (n - 1) / 26
        }
        count += width
    }
}
