/// An S3 error answer: HTTP status, `<Code>`, `<Message>` and any extra elements S3 adds.
public struct S3Error: Error, Sendable, Equatable {
    /// HTTP status (400, 403, 404, …).
    public var status: Int
    /// S3 error code, e.g. `AccessDenied`, `SignatureDoesNotMatch`.
    public var code: String
    /// Human text, in S3's wording where known.
    public var message: String
    /// Extra elements such as `ArgumentName`, `MaxSizeAllowed`, `ProposedSize`, in order.
    public var extra: [(String, String)]

    /// An error answer; `extra` elements follow `<Message>` in the XML.
    public init(status: Int, code: String, message: String, extra: [(String, String)] = []) {
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra
    }

    /// Equal when status, code, message and extra elements match.
    public static func == (lhs: S3Error, rhs: S3Error) -> Bool {
        lhs.status == rhs.status && lhs.code == rhs.code && lhs.message == rhs.message
            && lhs.extra.map { $0.0 + "=" + $0.1 } == rhs.extra.map { $0.0 + "=" + $0.1 }
    }

    /// The XML body S3 sends with `Content-Type: application/xml`.
    public func xml(requestID: String) -> String {
        var body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>\(Self.escape(code))</Code>"
        body += "<Message>\(Self.escape(message))</Message>"
        for (name, value) in extra { body += "<\(name)>\(Self.escape(value))</\(name)>" }
        body += "<RequestId>\(requestID)</RequestId><HostId>cm9zdGVyLXNhbmRib3g=</HostId></Error>"
        return body
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default: out.append(ch)
            }
        }
        return out
    }

    static func missingField(_ name: String) -> S3Error {
        S3Error(status: 400, code: "InvalidArgument",
                message: "Bucket POST must contain a field named '\(name)'.  If it is specified, please check the order of the fields.",
                extra: [("ArgumentName", name), ("ArgumentValue", "")])
    }

    static func policyDenied(_ detail: String) -> S3Error {
        S3Error(status: 403, code: "AccessDenied", message: "Invalid according to Policy: \(detail)")
    }

    static func invalidPolicy(_ detail: String) -> S3Error {
        S3Error(status: 400, code: "InvalidPolicyDocument", message: "Invalid Policy: \(detail)")
    }

    static let malformedPost = S3Error(status: 400, code: "MalformedPOSTRequest",
                                       message: "The body of your POST request is not well-formed multipart/form-data.")
}
