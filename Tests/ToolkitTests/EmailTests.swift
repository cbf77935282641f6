import Testing
import Toolkit

// MARK: - Punycode (RFC 3492 section 7.1 samples and edge cases)

@Test(arguments: [
    ("bücher", "bcher-kva"),
    ("münchen", "mnchen-3ya"),
    ("他们为什么不说中文", "ihqwcrb4cv8a8dqg056pqjye"),          // (B) Chinese (simplified)
    ("Pročprostěnemluvíčesky", "Proprostnemluvesky-uyb24dma41a"),  // (C) Czech, mixed case kept
    ("3年B組金八先生", "3B-ww4c5e180e575a65lsy2b"),                 // (L) basic characters between non-basic ones
    ("-> $1.00 <-", "-> $1.00 <--"),                               // (S) all basic: delimiter still added
    ("abc", "abc-"),
    ("", ""),
])
func punycodeSamples(plain: String, encoded: String) {
    #expect(Punycode.encode(plain) == encoded)
    #expect(Punycode.decode(encoded) == plain)
}

@Test func punycodeRoundTrip() {
    for label in ["ñandú", "żółć", "κόσμος", "москва", "日本語", "🙂x🙂", "a-b-ü"] {
        let encoded = Punycode.encode(label)
        #expect(encoded != nil)
        #expect(encoded.flatMap(Punycode.decode) == label)
        #expect(encoded?.unicodeScalars.allSatisfy(\.isASCII) == true)
    }
}

@Test func punycodeDecodeRejectsMalformed() {
    #expect(Punycode.decode("bcher-kv") == nil)      // truncated variable-length integer
    #expect(Punycode.decode("bcher-k!a") == nil)     // not a base-36 digit
    #expect(Punycode.decode("bü-kva") == nil)        // non-basic before the delimiter
    #expect(Punycode.decode("99999999999") == nil)   // overflow
    #expect(Punycode.decode("BCHER-KVA") == "BüCHER")  // digits are case-insensitive, basic case is kept
}

// MARK: - normalize

@Test func normalizeConvertsIDNDomains() {
    #expect(EmailAddress.normalize("Ann@Bücher.Example") == ("Ann@xn--bcher-kva.example", nil))
    #expect(EmailAddress.normalize("info@MÜNCHEN.de").email == "info@xn--mnchen-3ya.de")
    #expect(EmailAddress.normalize("x@例え。テスト").email == "x@xn--r8jz45g.xn--zckzah")  // ideographic full stop is a dot
    // decomposed ü (u + U+0308) is composed first, so it gives the same label
    #expect(EmailAddress.normalize("a@bu\u{308}cher.example").email == "a@xn--bcher-kva.example")
}

@Test func normalizeTrimsAndKeepsLocalPart() {
    #expect(EmailAddress.normalize("\u{00A0}\u{200B} John.Smith+Tag@Example.COM \u{FEFF}\n").email == "John.Smith+Tag@example.com")
    #expect(EmailAddress.normalize("\tAnn@example.com\u{2003}").email == "Ann@example.com")
}

@Test func normalizeRefusesBadAt() {
    #expect(EmailAddress.normalize("ann.example.com").email == nil)
    #expect(EmailAddress.normalize("ann.example.com").reason?.contains("no @") == true)
    #expect(EmailAddress.normalize("a@b@example.com").reason?.contains("more than one @") == true)
    #expect(EmailAddress.normalize("@example.com").reason?.contains("before the @") == true)
    #expect(EmailAddress.normalize("ann@ ").reason?.contains("after the @") == true)
    #expect(EmailAddress.normalize("   ") .email == nil)
}

// MARK: - problem(in:)

@Test(arguments: [
    "ann@example.com", "Ann.Marie+news@mail.example.co.uk", "o'neil@example.ie", "x_y-z@sub-1.example.org",
    "a!#$%&'*+/=?^_`{|}~-@example.com", "ann@xn--bcher-kva.example", "ann@Bücher.Example", "1@2.example",
    String(repeating: "a", count: 64) + "@example.com",
])
func problemAcceptsValid(address: String) {
    #expect(EmailAddress.problem(in: address) == nil)
}

@Test(arguments: [
    ("", "empty"),
    ("ann.example.com", "no @"),
    ("a@b@example.com", "more than one @"),
    ("ann@example", "the domain has no dot"),
    ("ann..lee@example.com", "two dots in a row in the local part"),
    (".ann@example.com", "the local part starts with a dot"),
    ("ann.@example.com", "the local part ends with a dot"),
    ("ann@exa mple.com", "the domain label 'exa mple' has a space"),
    ("ann lee@example.com", "the local part has a space"),
    ("ann@example..com", "two dots in a row in the domain"),
    ("ann@example.com.", "the domain ends with a dot"),
    ("ann@.example.com", "the domain starts with a dot"),
    ("ann@-example.com", "starts with a hyphen"),
    ("ann@example-.com", "ends with a hyphen"),
    ("ann@exam_ple.com", "the character '_'"),
    ("ann@1.2.3.4", "all digits"),
    ("ann@[192.168.0.1]", "IP address literals"),
    ("ann,lee@example.com", "the character ','"),
    ("zoë@example.com", "non-ASCII character 'ë'"),
    ("\"ann lee\"@example.com", "quoted local parts"),
    (" ann@example.com", "leading or trailing whitespace"),
    ("ann\u{200B}lee@example.com", "invisible character (U+200B)"),
    (String(repeating: "a", count: 65) + "@example.com", "local part is longer than 64"),
    ("ann@" + String(repeating: "b", count: 64) + ".com", "is longer than 63 characters"),
    ("ann@" + Array(repeating: String(repeating: "c", count: 60), count: 5).joined(separator: ".") + ".com",
     "longer than 254 characters"),
])
func problemNamesTheIssue(address: String, expected: String) {
    let reason = EmailAddress.problem(in: address)
    #expect(reason?.contains(expected) == true, "\(address): \(reason ?? "nil")")
}

@Test func problemAcceptsWhatNormalizeProduces() {
    for raw in ["  Ann@Bücher.Example\u{00A0}", "\u{FEFF}Ann+x@Sub.Example.ORG", "x@例え。テスト"] {
        let email = EmailAddress.normalize(raw).email
        #expect(email != nil)
        #expect(email.map { EmailAddress.problem(in: $0) } == .some(nil))
    }
}
