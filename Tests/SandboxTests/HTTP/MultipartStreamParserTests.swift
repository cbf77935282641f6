import Testing

@testable import Sandbox

@Suite struct MultipartStreamParserTests {
    static let boundary = "Upload----07/10/2020 17:29:08"
    static let body = Array((
        "preamble\r\n--\(boundary)\r\nContent-Disposition: form-data; name=acl\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nprivate\r\n"
        + "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"; filename*=utf-8''a.csv\r\n"
        + "Content-Type: multipart/form-data\r\n\r\nx,y\r\n1,2\r\n--not-the-boundary\r\n"
        + "\r\n--\(boundary)--\r\nepilogue").utf8)

    /// Parts as (name, filename, body) after feeding `body` in chunks of `size`.
    static func parse(chunk size: Int) throws -> [(String?, String?, String)] {
        var parser = MultipartStreamParser(boundary: boundary)
        var parts: [(String?, String?, String)] = []
        var current: (String?, String?, [UInt8]) = (nil, nil, [])
        var index = 0
        while index < body.count {
            let end = min(index + size, body.count)
            for event in try parser.feed(body[index..<end]) {
                switch event {
                case let .partBegin(headers): current = (headers.name, headers.filename, [])
                case let .partData(bytes): current.2 += bytes
                case .partEnd: parts.append((current.0, current.1, String(decoding: current.2, as: UTF8.self)))
                case .end: break
                }
            }
            index = end
        }
        _ = try parser.finish()
        return parts
    }

    @Test(arguments: [1, 3, 7, 64, 97, 100_000])
    func splitsPartsWhateverTheChunkSize(size: Int) throws {
        let parts = try Self.parse(chunk: size)
        #expect(parts.count == 2)
        #expect(parts[0].0 == "acl" && parts[0].1 == nil && parts[0].2 == "private")
        #expect(parts[1].0 == "file" && parts[1].1 == "a.csv")
        #expect(parts[1].2 == "x,y\r\n1,2\r\n--not-the-boundary\r\n")
    }

    @Test func failsWhenTheClosingBoundaryNeverComes() throws {
        var parser = MultipartStreamParser(boundary: "b")
        _ = try parser.feed(Array("--b\r\nContent-Disposition: form-data; name=x\r\n\r\nvalue".utf8))
        #expect(throws: MultipartError.self) { try parser.finish() }
    }

    @Test func decodesRFC5987FileNames() throws {
        let headers = try MultipartStreamParser.parseHeaders("Content-Disposition: form-data; name=file; filename*=utf-8''na%C3%AFve%20list.csv")
        #expect(headers.filename == "naïve list.csv")
    }
}
