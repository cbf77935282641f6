import Testing
import Toolkit

@Test func upperAndLowerAreUnicodeAware() {
    #expect(TextTools.upper("straße") == "STRASSE")
    #expect(TextTools.upper("o'brien-smith 42 @x.com") == "O'BRIEN-SMITH 42 @X.COM")
    #expect(TextTools.lower("Ann@Example.COM [Z]") == "ann@example.com [z]")
    #expect(TextTools.upper("") == "" && TextTools.upper("123") == "123")
    #expect(TextTools.upper("ǆemal") == "ǄEMAL")
    #expect(TextTools.upper("zoë ǿ") == "ZOË Ǿ")
    #expect(TextTools.lower("ÀÉÎ ÕÜ ΣΑΣ").hasPrefix("àéî õü"))
    #expect(TextTools.lower("ИВАН") == "иван")
}

@Test(arguments: [
    ("ANN-MARIE O'NEIL", "Ann-Marie O'Neil"),
    ("zoë", "Zoë"),
    ("jean-françois d’artagnan", "Jean-François D’Artagnan"),
    ("ÉLODIE ÅSTRÖM", "Élodie Åström"),
    ("ǆEMAL", "ǅemal"),                 // title-case mapping, not upper case ("Ǆ")
    ("mary   ann", "Mary   Ann"),       // spacing kept
    ("j.r.r. tolkien", "J.R.R. Tolkien"),
    ("mcdonald", "Mcdonald"),           // Mc/Mac not guessed
    ("иван петров", "Иван Петров"),
    ("ΑΘΉΝΑ", "Αθήνα"),
    ("李 小龙", "李 小龙"),
    ("(ann) 3RD", "(Ann) 3rd"),
])
func titleCasesNames(input: String, expected: String) {
    #expect(TextTools.title(input) == expected)
}

@Test func titleHandlesDecomposedAccents() {
    #expect(TextTools.title("e\u{301}LODIE") == "Élodie")  // canonical equivalence: "E" + U+0301 == "É"
}

@Test func trimRemovesUnicodeWhitespace() {
    #expect(TextTools.trim("\u{00A0}\u{200B} Ann \t\n Marie\u{FEFF}\u{3000}") == "Ann Marie")
    #expect(TextTools.trim("Ann\u{00A0}\u{00A0}Lee") == "Ann Lee")
    #expect(TextTools.trim("Ann\u{200B}Lee") == "AnnLee")
    #expect(TextTools.trim(" \u{2003}\u{200B} ") == "")
    #expect(TextTools.trim("plain") == "plain")
}

@Test func nfcComposes() {
    let decomposed = "Zoe\u{0308}"
    #expect(TextTools.nfc(decomposed).unicodeScalars.count == 3)
    #expect(TextTools.nfc(decomposed).unicodeScalars.last == "\u{00EB}")
    #expect(TextTools.nfc("Åström").unicodeScalars.count == 6)
}

@Test(arguments: [
    ("Zoë Åström", "Zoe Astrom"),
    ("Straße", "Strasse"),
    ("Ærøskøbing", "AEroskobing"),
    ("Œuvre œil", "OEuvre oeil"),
    ("Łódź", "Lodz"),
    ("Đorđe", "Dorde"),
    ("Þórður", "Thordur"),
    ("Iıİ", "IiI"),
    ("Nguyễn Văn Ŋa", "Nguyen Van NGa"),
    ("“quoted” ‘single’ – — …", "\"quoted\" 'single' - - ..."),
    ("Ann\u{00A0}Lee", "Ann Lee"),
    ("e\u{301}", "e"),
    ("ǿ", "o"),                          // decomposes to ø + acute, then the table
    ("plain ASCII 123", "plain ASCII 123"),
])
func asciiFolds(input: String, expected: String) {
    #expect(TextTools.ascii(input) == (expected, nil))
}

@Test func asciiRefusesWithoutDropping() {
    let han = TextTools.ascii("Bruce 李")
    #expect(han.text == nil)
    #expect(han.reason?.contains("李") == true)
    #expect(TextTools.ascii("Иван").reason?.contains("И") == true)
    #expect(TextTools.ascii("ok 🙂").reason?.contains("🙂") == true)
    #expect(TextTools.ascii("a\u{200D}b").reason?.contains("U+200D") == true)
}
