// Splitting a full name into prefix, first, middle, last and suffix, for Western-style name order.

/// A person's name split into parts (nil when absent).
public struct PersonName: Sendable, Equatable {
    public var prefix: String?, first: String?, middle: String?, last: String?, suffix: String?

    /// Splits "Dr. Ann-Marie O'Neil", "O'Neil, Ann Marie", "Smith, John, Jr." and "John Smith Jr."; particles
    /// (van, de, al, st. ...) join the last name; one word is a first name; the parts keep their original spelling.
    public init(splitting text: String) {
        let parts = TextTools.trim(text).split(separator: ",").map { TextTools.trim(String($0)) }.filter { !$0.isEmpty }
        guard let head = parts.first else { return }
        let tail = parts.dropFirst()
        if tail.allSatisfy(Self.isSuffixPart) {
            splitNatural(Self.words(head), suffixParts: Array(tail))  // "John Smith" or "John Smith, Jr."
        } else {
            let extra = tail.dropFirst()  // "Smith, John, Jr.": further parts are suffixes, anything else is kept as middle
            splitComma(last: Self.words(head), given: Self.words(tail[tail.startIndex])
                + extra.filter { !Self.isSuffixPart($0) }.flatMap(Self.words),
                suffixParts: extra.filter(Self.isSuffixPart))
        }
    }

    /// "Dr. Ann Marie van der Berg Jr." (given names first).
    private mutating func splitNatural(_ input: [String], suffixParts: [String]) {
        var words = input
        var prefixes: [String] = []
        while words.count > 1, Self.isPrefix(words[0]) { prefixes.append(words.removeFirst()) }
        var suffixes: [String] = []
        while words.count > 1, let word = words.last, Self.isSuffix(word) { suffixes.insert(words.removeLast(), at: 0) }
        prefix = Self.join(prefixes)
        suffix = Self.join([Self.join(suffixes)].compactMap { $0 } + suffixParts, separator: ", ")
        guard let head = words.first else { return }
        if words.count == 1 {
            if prefixes.isEmpty { first = head } else { last = head }  // "Dr. Smith": a title goes with the surname
            return
        }
        if head == head.lowercased() && Self.isParticle(head) {  // "de Gaulle"; a capitalized "Van Morrison" is a first name
            last = Self.join(words)
            return
        }
        let lastStart = (1..<(words.count - 1)).first { Self.isParticle(words[$0]) } ?? words.count - 1
        first = head
        middle = Self.join(Array(words[1..<lastStart]))
        last = Self.join(Array(words[lastStart...]))
    }

    /// "van Beethoven Jr., Dr. Ludwig Maria" (surname first, then a comma).
    private mutating func splitComma(last surname: [String], given input: [String], suffixParts: [String]) {
        var family = surname, given = input
        var suffixes: [String] = []
        while family.count > 1, let word = family.last, Self.isSuffix(word) { suffixes.insert(family.removeLast(), at: 0) }
        while given.count > 1, let word = given.last, Self.isSuffix(word) { suffixes.insert(given.removeLast(), at: 0) }
        var prefixes: [String] = []
        while let word = given.first, Self.isPrefix(word) { prefixes.append(given.removeFirst()) }
        while given.count > 1, let word = given.last, Self.isParticle(word) { family.insert(given.removeLast(), at: 0) }
        prefix = Self.join(prefixes)
        suffix = Self.join([Self.join(suffixes)].compactMap { $0 } + suffixParts, separator: ", ")
        first = given.first
        middle = Self.join(Array(given.dropFirst()))
        last = Self.join(family)
    }

    // MARK: - Word lists

    private static let prefixes: Set<String> = ["mr", "mrs", "ms", "miss", "mx", "dr", "prof", "rev", "sir", "dame", "hon", "fr"]
    private static let suffixes: Set<String> = ["jr", "sr", "ii", "iii", "iv", "v", "phd", "md", "dds", "esq", "cpa"]
    private static let particles: Set<String> = [
        "van", "von", "de", "da", "del", "della", "der", "den", "di", "du", "la", "le",
        "dos", "das", "ter", "ten", "bin", "ibn", "al", "el", "st.", "st",
    ]

    private static func words(_ text: String) -> [String] { text.split(separator: " ").map(String.init) }

    private static func join(_ words: [String], separator: String = " ") -> String? {
        words.isEmpty ? nil : words.joined(separator: separator)
    }

    /// Case-insensitive, with or without periods ("Ph.D.", "jr").
    private static func bare(_ word: String) -> String { word.lowercased().filter { $0 != "." } }

    private static func isPrefix(_ word: String) -> Bool { prefixes.contains(bare(word)) }
    private static func isSuffix(_ word: String) -> Bool { suffixes.contains(bare(word)) }
    private static func isParticle(_ word: String) -> Bool { particles.contains(word.lowercased()) }
    private static func isSuffixPart(_ part: String) -> Bool { words(part).allSatisfy(isSuffix) }
}
