import Foundation
import Testing
@testable import Tabular

let seedXML = """
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<ns2:import xmlns:ns2="http://schemas.api.whispir.com" 
             xmlns:ns3="http://schemas.api.whispir.com/dap">
    <ns2:contacts>
        <ns2:contact>
            <firstName>John</firstName>
            <lastName>Smith</lastName>
            <workEmailAddress1>john.smith@testcompany.com</workEmailAddress1>
            <workMobilePhone1>61423456789</workMobilePhone1>
            <workCountry>Australia</workCountry>
            <timezone>+10</timezone>
        </ns2:contact>
        <ns2:contact>
            <firstName>Jane</firstName>
            <lastName>Smith</lastName>
            <workEmailAddress1>jane.smith@testcompany.com</workEmailAddress1>
            <workMobilePhone1>61498765432</workMobilePhone1>
            <workCountry>Australia</workCountry>
            <timezone>+10</timezone>
        </ns2:contact>
   </ns2:contacts>
</ns2:import>
"""

@Suite struct XMLContactReaderTests {
    @Test func readsWhispirSeedDocument() throws {
        let dir = try Scratch()
        let reader = try Tables.open(path: dir.write("seed.xml", seedXML))
        #expect(reader.info.format == .xml)
        #expect(reader.header == ["firstName", "lastName", "workEmailAddress1", "workMobilePhone1", "workCountry", "timezone"])
        #expect(try readAll(reader) == [
            .record(Record(values: ["John", "Smith", "john.smith@testcompany.com", "61423456789", "Australia", "+10"], number: 1, line: 5)),
            .record(Record(values: ["Jane", "Smith", "jane.smith@testcompany.com", "61498765432", "Australia", "+10"], number: 2, line: 13)),
        ])
    }

    @Test func acceptsAnyPrefixEscapesCDATAAndNestedFields() throws {
        let dir = try Scratch()
        let text = """
            <w:import xmlns:w="urn:x"><w:contacts>
            <w:contact><name>A &amp; B &lt;3</name><note><![CDATA[x<y]]></note><addr><city>Perth</city></addr></w:contact>
            <contact><name>Zoë</name><extra>late</extra></contact>
            </w:contacts></w:import>
            """
        let reader = try XMLContactReader(path: dir.write("p.xml", text))
        #expect(reader.header == ["name", "note", "addr.city", "extra"])
        #expect(records(try readAll(reader)) == [["A & B <3", "x<y", "Perth", ""], ["Zoë", "", "", "late"]])
    }

    @Test func neverExpandsExternalEntities() throws {
        let dir = try Scratch()
        let secret = try dir.write("secret.txt", "TOP-SECRET")
        let text = """
            <?xml version="1.0"?>
            <!DOCTYPE import [<!ENTITY xxe SYSTEM "file://\(secret)">]>
            <import><contacts><contact><firstName>&xxe;</firstName><lastName>Smith</lastName></contact></contacts></import>
            """
        // The DOCTYPE is refused before its entity is declared, so the secret is never read.
        do {
            let reader = try XMLContactReader(path: dir.write("xxe.xml", text))
            let rows = records(try readAll(reader))
            Issue.record("expected the DOCTYPE to be refused, read \(rows)")
        } catch let error as TabularError {
            #expect(error.description.contains("line 2): invalid XML: a <!DOCTYPE> is not allowed"))
            #expect(!error.description.contains("TOP-SECRET"))
        }
    }

    @Test func malformedDocumentStopsWithLineAfterEarlierRecords() throws {
        let dir = try Scratch()
        let reader = try XMLContactReader(path: dir.write("bad.xml", "<import>\n<contact><a>1</a></contact>\n<contact><a>2</b></contact></import>"))
        #expect(try reader.next() == .record(Record(values: ["1"], number: 1, line: 2)))
        do {
            _ = try reader.next()
            Issue.record("expected an error")
        } catch let error as TabularError {
            guard case let .malformed(_, line, detail) = error else { Issue.record("wrong error \(error)"); return }
            #expect(line == 3)
            #expect(detail.hasPrefix("invalid XML"))
        }
    }
}
