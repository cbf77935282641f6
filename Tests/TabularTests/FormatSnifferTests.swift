import Foundation
import Testing
@testable import Tabular

@Suite struct FormatSnifferTests {
    @Test func contentDecidesBeforeExtension() throws {
        let dir = try Scratch()
        #expect(try Tables.detectFormat(path: dir.write("data.csv", "  \n[{\"a\":1}]")) == .json)
        #expect(try Tables.detectFormat(path: dir.write("data.txt", bytes: [0xEF, 0xBB, 0xBF] + Array("<?xml version=\"1.0\"?><import/>".utf8))) == .xml)
        #expect(try Tables.detectFormat(path: dir.write("book.csv", bytes: [0x50, 0x4B, 0x03, 0x04, 0, 0])) == .xlsx)
        #expect(try Tables.detectFormat(path: dir.write("x.dat", bytes: [0xFF, 0xFE] + Array("<".utf8) + [0])) == .xml)
    }

    @Test func extensionDecidesWhenContentIsPlainText() throws {
        let dir = try Scratch()
        #expect(try Tables.detectFormat(path: dir.write("a.csv", "name,city\n")) == .csv)
        #expect(try Tables.detectFormat(path: dir.write("noext", "name;city\n")) == .csv)
        #expect(try Tables.detectFormat(path: dir.write("empty.json", "")) == .json)
    }

    @Test func optionOverridesSniffing() throws {
        let dir = try Scratch()
        let path = try dir.write("looks.json", "{\"a\":1}\n")
        #expect(try Tables.detectFormat(path: path, options: ReadOptions(format: .csv)) == .csv)
        let reader = try Tables.open(path: path, options: ReadOptions(format: .csv, delimiter: UInt8(ascii: "|")))
        #expect(reader.header == ["{\"a\":1}"])
    }

    @Test func binaryWithoutKnownMagicIsUnknown() throws {
        let dir = try Scratch()
        let path = try dir.write("blob.bin", bytes: [0x00, 0x01, 0x02, 0x00, 0xFF])
        #expect(throws: TabularError.unknownFormat(path: path)) { try Tables.open(path: path) }
    }

    @Test func missingFileNamesPathAndCause() throws {
        let dir = try Scratch()
        let path = dir.path("absent.csv")
        do {
            _ = try Tables.open(path: path)
            Issue.record("expected an error")
        } catch let error as TabularError {
            #expect(error.description == "\(path): cannot open for reading: No such file or directory; check that the path exists and is readable/writable")
        }
    }
}

@Suite struct WriteFormatTests {
    @Test func extensionChoosesTheOutputFormat() {
        #expect(Tables.writeFormat(forPath: "out/clean.CSV") == .csv)
        #expect(Tables.writeFormat(forPath: "contacts.json") == .json)
        #expect(Tables.writeFormat(forPath: "import.xml") == .xml)
        #expect(Tables.writeFormat(forPath: "book.xlsx") == .xlsx)
        #expect(Tables.writeFormat(forPath: "old.xls") == nil)
        #expect(Tables.writeFormat(forPath: "dir.v2/noext") == nil)
    }
}
