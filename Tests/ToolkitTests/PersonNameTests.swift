import Testing
import Toolkit

private func name(_ prefix: String? = nil, _ first: String? = nil, _ middle: String? = nil,
                  _ last: String? = nil, _ suffix: String? = nil) -> PersonName {
    var result = PersonName(splitting: "")
    (result.prefix, result.first, result.middle, result.last, result.suffix) = (prefix, first, middle, last, suffix)
    return result
}

@Test(arguments: [
    ("Dr. Ann-Marie O'Neil", name("Dr.", "Ann-Marie", nil, "O'Neil")),
    ("O'Neil, Ann Marie", name(nil, "Ann", "Marie", "O'Neil")),
    ("Ludwig van Beethoven", name(nil, "Ludwig", nil, "van Beethoven")),
    ("John Smith Jr.", name(nil, "John", nil, "Smith", "Jr.")),
    ("Smith, John, Jr.", name(nil, "John", nil, "Smith", "Jr.")),
    ("John Smith, Jr.", name(nil, "John", nil, "Smith", "Jr.")),
    ("Cher", name(nil, "Cher")),
    ("", name()),
    (" \u{00A0}\u{200B} ", name()),
])
func splitsTheDocumentedForms(text: String, expected: PersonName) {
    #expect(PersonName(splitting: text) == expected)
}

@Test(arguments: [
    ("  Mary   Ann   Lee  ", name(nil, "Mary", "Ann", "Lee")),
    ("John Ronald Reuel Tolkien", name(nil, "John", "Ronald Reuel", "Tolkien")),
    ("mrs jane doe", name("mrs", "jane", nil, "doe")),
    ("PROF. DR. Hans Meier", name("PROF. DR.", "Hans", nil, "Meier")),
    ("Mx Sam Lee", name("Mx", "Sam", nil, "Lee")),
    ("Dr. Smith", name("Dr.", nil, nil, "Smith")),
    ("Sir Ian McKellen", name("Sir", "Ian", nil, "McKellen")),
    ("Rev Fr. John Doe", name("Rev Fr.", "John", nil, "Doe")),
    ("Martin Luther King Jr", name(nil, "Martin", "Luther", "King", "Jr")),
    ("Henry Ford II", name(nil, "Henry", nil, "Ford", "II")),
    ("Jane Doe PhD", name(nil, "Jane", nil, "Doe", "PhD")),
    ("Jane Doe Ph.D.", name(nil, "Jane", nil, "Doe", "Ph.D.")),
    ("John Smith Sr. MD", name(nil, "John", nil, "Smith", "Sr. MD")),
    ("Saul Goodman, Esq.", name(nil, "Saul", nil, "Goodman", "Esq.")),
    ("Smith, John, Jr., CPA", name(nil, "John", nil, "Smith", "Jr., CPA")),
    ("Smith Jr., John", name(nil, "John", nil, "Smith", "Jr.")),
    ("Doe, Dr. Jane", name("Dr.", "Jane", nil, "Doe")),
    ("Juan de la Cruz", name(nil, "Juan", nil, "de la Cruz")),
    ("Vincent Willem van Gogh", name(nil, "Vincent", "Willem", "van Gogh")),
    ("Otto von Bismarck", name(nil, "Otto", nil, "von Bismarck")),
    ("Leonardo da Vinci", name(nil, "Leonardo", nil, "da Vinci")),
    ("Maria dos Santos", name(nil, "Maria", nil, "dos Santos")),
    ("Mohammed bin Salman", name(nil, "Mohammed", nil, "bin Salman")),
    ("Ahmad ibn Hanbal", name(nil, "Ahmad", nil, "ibn Hanbal")),
    ("Omar Al Fayed", name(nil, "Omar", nil, "Al Fayed")),
    ("Mary St. John", name(nil, "Mary", nil, "St. John")),
    ("Gerard ter Borch", name(nil, "Gerard", nil, "ter Borch")),
    ("Anna della Rovere", name(nil, "Anna", nil, "della Rovere")),
    ("de Gaulle", name(nil, nil, nil, "de Gaulle")),
    ("Van Morrison", name(nil, "Van", nil, "Morrison")),     // capitalized first word is a given name
    ("John Le", name(nil, "John", nil, "Le")),               // a particle as the last word is the surname
    ("Beethoven, Ludwig van", name(nil, "Ludwig", nil, "van Beethoven")),
    ("Dr.", name(nil, "Dr.")),                               // one word is a first name
])
func splitsMoreForms(text: String, expected: PersonName) {
    #expect(PersonName(splitting: text) == expected)
}
