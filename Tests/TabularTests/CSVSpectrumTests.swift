import Testing
@testable import Tabular

/// The csv-spectrum cases (the acid test for CSV parsers, github.com/max-mapper/csv-spectrum): each
/// file and the records it must give, written out here from the suite's published cases.
@Suite struct CSVSpectrumTests {
    static let cases: [(name: String, csv: String, header: [String], rows: [[String]])] = [
        ("comma_in_quotes", "first,last,address,city,zip\nJohn,Doe,120 any st.,\"Anytown, WW\",08123\n",
         ["first", "last", "address", "city", "zip"], [["John", "Doe", "120 any st.", "Anytown, WW", "08123"]]),
        ("empty", "a,b,c\n1,\"\",\"\"\n2,3,4\n", ["a", "b", "c"], [["1", "", ""], ["2", "3", "4"]]),
        ("empty_crlf", "a,b,c\r\n1,\"\",\"\"\r\n2,3,4\r\n", ["a", "b", "c"], [["1", "", ""], ["2", "3", "4"]]),
        ("escaped_quotes", "a,b\n1,\"ha \"\"ha\"\" ha\"\n3,4\n", ["a", "b"], [["1", "ha \"ha\" ha"], ["3", "4"]]),
        ("json", "key,val\n1,\"{\"\"type\"\": \"\"Point\"\", \"\"coordinates\"\": [102.0, 0.5]}\"\n", ["key", "val"],
         [["1", "{\"type\": \"Point\", \"coordinates\": [102.0, 0.5]}"]]),
        ("newlines", "a,b,c\n1,2,3\n\"Once upon \na time\",5,6\n7,8,9\n", ["a", "b", "c"],
         [["1", "2", "3"], ["Once upon \na time", "5", "6"], ["7", "8", "9"]]),
        ("newlines_crlf", "a,b,c\r\n1,2,3\r\n\"Once upon \r\na time\",5,6\r\n7,8,9\r\n", ["a", "b", "c"],
         [["1", "2", "3"], ["Once upon \r\na time", "5", "6"], ["7", "8", "9"]]),
        ("quotes_and_newlines", "a,b\n1,\"ha \n\"\"ha\"\" \nha\"\n3,4\n", ["a", "b"], [["1", "ha \n\"ha\" \nha"], ["3", "4"]]),
        ("simple", "a,b,c\n1,2,3\n", ["a", "b", "c"], [["1", "2", "3"]]),
        ("simple_crlf", "a,b,c\r\n1,2,3\r\n", ["a", "b", "c"], [["1", "2", "3"]]),
        ("utf8", "a,b,c\n1,2,3\n4,5,ʤ\n", ["a", "b", "c"], [["1", "2", "3"], ["4", "5", "ʤ"]]),
        ("location_coordinates", "Contact Phone Number,Cities,Primary Contact Name\n"
            + "9411234567,\"New York, NY\",\"Bob Smith\"\n", ["Contact Phone Number", "Cities", "Primary Contact Name"],
         [["9411234567", "New York, NY", "Bob Smith"]]),
    ]

    @Test(arguments: cases.indices)
    func readsEveryCase(_ index: Int) throws {
        let c = Self.cases[index]
        let reader = try CSVReader(bytes: Array(c.csv.utf8), name: c.name + ".csv", options: ReadOptions(format: .csv))
        #expect(reader.header == c.header, "\(c.name)")
        let events = try readAll(reader)
        #expect(rejections(events).isEmpty, "\(c.name)")
        #expect(records(events) == c.rows, "\(c.name)")
    }

    @Test(arguments: cases.indices)
    func writesEveryCaseBackToTheSameRecords(_ index: Int) throws {
        let c = Self.cases[index]
        let output = ByteOutput(memoryNamed: c.name)
        let writer = CSVWriter(output: output)
        try writer.writeHeader(c.header)
        for row in c.rows { try writer.writeRow(row) }
        let reread = try CSVReader(bytes: try output.takeBytes(), name: c.name, options: ReadOptions(format: .csv))
        #expect(records(try readAll(reread)) == c.rows, "\(c.name)")
    }
}
