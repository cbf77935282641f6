import Foundation
import Testing

@testable import Sandbox

@Suite struct PostPolicyTests {
    // The worked example of docs/api/s3-post.md §5.
    static let docPolicy = "eyJleHBpcmF0aW9uIjogIjIwMzAtMDEtMDFUMDA6MDA6MDAuMDAwWiIsICJjb25kaXRpb25zIjogW3siYWNsIjogInByaXZhdGUifSwgeyJidWNrZXQiOiAiZW11bGF0ZWQtdXBsb2FkcyJ9LCBbInN0YXJ0cy13aXRoIiwgIiRrZXkiLCAidXBsb2Fkcy8wZjFlMmQzYzRiNWE2OTc4ODc5NmE1YjRjM2QyZTFmMC8iXSwgWyJzdGFydHMtd2l0aCIsICIkQ29udGVudC1UeXBlIiwgIiJdLCBbImNvbnRlbnQtbGVuZ3RoLXJhbmdlIiwgMCwgNTM2ODcyNDQ4MF1dfQ=="
    static let docSecret = "TESTSECRETKEY0000000000000000000000000000"
    static let before2030 = Date(timeIntervalSince1970: 1_800_000_000)  // 2027

    static func base64(_ json: String) -> String { Data(json.utf8).base64EncodedString() }

    let okFields: [(name: String, value: String)] = [
        ("acl", "private"), ("AWSAccessKeyId", "AKID"), ("key", "uploads/0f1e2d3c4b5a69788796a5b4c3d2e1f0/leads.csv"),
        ("policy", docPolicy), ("signature", "x"), ("Content-Type", "text/csv"),
    ]

    @Test func signatureV2MatchesTheDocumentedVector() {
        #expect(SignatureV2.sign(policy: Self.docPolicy, secret: Self.docSecret) == "CPTnzkkw0yuMYYz49NRkjOHlTbU=")
        #expect(SignatureV2.verify(policy: Self.docPolicy, signature: "CPTnzkkw0yuMYYz49NRkjOHlTbU=", secret: Self.docSecret))
        #expect(!SignatureV2.verify(policy: Self.docPolicy, signature: "CPTnzkkw0yuMYYz49NRkjOHlTbV=", secret: Self.docSecret))
    }

    @Test func parsesTheDocumentedPolicy() throws {
        let policy = try PostPolicy.parse(base64: Self.docPolicy)
        #expect(policy.expiration == PostPolicy.parseISO8601("2030-01-01T00:00:00Z"))
        #expect(policy.conditions.count == 5)
        #expect(policy.conditions[0] == .equals(field: "acl", value: "private", text: "{\"acl\":\"private\"}"))
        #expect(policy.lengthRange == 0...5_368_724_480)
    }

    @Test func acceptsAFormThatMeetsEveryCondition() throws {
        let policy = try PostPolicy.parse(base64: Self.docPolicy)
        #expect(policy.evaluate(fields: okFields, bucket: "emulated-uploads", now: Self.before2030) == nil)
    }

    @Test func rejectsAnExpiredPolicy() throws {
        let policy = try PostPolicy.parse(base64: Self.docPolicy)
        let error = policy.evaluate(fields: okFields, bucket: "emulated-uploads", now: Date(timeIntervalSince1970: 1_900_000_000))
        #expect(error == S3Error(status: 403, code: "AccessDenied", message: "Invalid according to Policy: Policy expired."))
    }

    @Test func rejectsAKeyOutsideThePrefix() throws {
        let policy = try PostPolicy.parse(base64: Self.docPolicy)
        var fields = okFields
        fields[2].value = "elsewhere/leads.csv"
        let error = policy.evaluate(fields: fields, bucket: "emulated-uploads", now: Self.before2030)
        #expect(error?.message == "Invalid according to Policy: Policy Condition failed: [\"starts-with\",\"$key\",\"uploads/0f1e2d3c4b5a69788796a5b4c3d2e1f0/\"]")
        #expect(error?.status == 403)
    }

    @Test func rejectsAnAbsentFieldNamedByACondition() throws {
        let policy = try PostPolicy.parse(base64: Self.docPolicy)
        let fields = okFields.filter { $0.name != "Content-Type" }
        let error = policy.evaluate(fields: fields, bucket: "emulated-uploads", now: Self.before2030)
        #expect(error?.message == "Invalid according to Policy: Policy Condition failed: [\"starts-with\",\"$Content-Type\",\"\"]")
    }

    @Test func rejectsAnExtraFieldByName() throws {
        let policy = try PostPolicy.parse(base64: Self.docPolicy)
        let fields = okFields + [("success_action_status", "201")]
        let error = policy.evaluate(fields: fields, bucket: "emulated-uploads", now: Self.before2030)
        #expect(error == S3Error(status: 403, code: "AccessDenied", message: "Invalid according to Policy: Extra input fields: success_action_status"))
    }

    @Test func exemptsIgnoredAndSignatureFields() throws {
        let policy = try PostPolicy.parse(base64: Self.docPolicy)
        let fields = okFields + [("x-ignore-tracking", "1")]
        #expect(policy.evaluate(fields: fields, bucket: "emulated-uploads", now: Self.before2030) == nil)
    }

    @Test func comparesTheBucketConditionWithTheRequestedBucket() throws {
        let policy = try PostPolicy.parse(base64: Self.docPolicy)
        let error = policy.evaluate(fields: okFields, bucket: "other-bucket", now: Self.before2030)
        #expect(error?.message == "Invalid according to Policy: Policy Condition failed: {\"bucket\":\"emulated-uploads\"}")
    }

    @Test func matchesFieldNamesCaseInsensitively() throws {
        let policy = try PostPolicy.parse(base64: Self.base64(
            #"{"expiration": "2030-01-01T00:00:00Z", "conditions": [["eq", "$ACL", "private"], ["starts-with", "$Key", "a/"]]}"#))
        #expect(policy.evaluate(fields: [("acl", "private"), ("KEY", "a/b")], bucket: "b", now: Self.before2030) == nil)
    }

    @Test func joinsRepeatedFieldsWithCommas() throws {
        let policy = try PostPolicy.parse(base64: Self.base64(
            #"{"expiration": "2030-01-01T00:00:00Z", "conditions": [["eq", "$x-amz-meta-tag", "a,b"], ["starts-with", "$key", ""]]}"#))
        let fields: [(name: String, value: String)] = [("key", "k"), ("x-amz-meta-tag", "a"), ("x-amz-meta-tag", "b")]
        #expect(policy.evaluate(fields: fields, bucket: "b", now: Self.before2030) == nil)
    }

    @Test func reportsSizesOutsideTheLengthRange() throws {
        let policy = try PostPolicy.parse(base64: Self.base64(
            #"{"expiration": "2030-01-01T00:00:00Z", "conditions": [["content-length-range", 10, 100]]}"#))
        #expect(policy.checkLength(10) == nil)
        #expect(policy.checkLength(100) == nil)
        #expect(policy.checkLength(101)?.code == "EntityTooLarge")
        #expect(policy.checkLength(9)?.code == "EntityTooSmall")
    }

    @Test(arguments: [
        "not base64!",
        Data("not json".utf8).base64EncodedString(),
        Data(#"{"conditions": []}"#.utf8).base64EncodedString(),
        Data(#"{"expiration": "2030-01-01T00:00:00Z"}"#.utf8).base64EncodedString(),
        Data(#"{"expiration": "2030-01-01T00:00:00Z", "conditions": [["matches", "$key", "x"]]}"#.utf8).base64EncodedString(),
        Data(#"{"expiration": "2030-01-01T00:00:00Z", "conditions": [{"acl": "private", "key": "x"}]}"#.utf8).base64EncodedString(),
        Data(#"{"expiration": "soon", "conditions": []}"#.utf8).base64EncodedString(),
    ])
    func rejectsMalformedPolicies(policy: String) {
        #expect(throws: S3Error.self) { try PostPolicy.parse(base64: policy) }
        do { _ = try PostPolicy.parse(base64: policy) } catch { #expect(error.code == "InvalidPolicyDocument" && error.status == 400) }
    }

    @Test func writesThePolicyInOmnigagesLayout() throws {
        let expiry = try #require(PostPolicy.parseISO8601("2030-01-01T00:00:00.000Z"))
        let text = PostPolicyWriter.omnigagePolicy(expiration: expiry, acl: "private", bucket: "emulated-uploads",
                                                   keyPrefix: "uploads/0f1e2d3c4b5a69788796a5b4c3d2e1f0/", maxLength: 5_368_724_480)
        #expect(Data(text.utf8).base64EncodedString() == Self.docPolicy)
    }

    @Test func signatureV4MatchesTheDocumentedVector() {
        let policy = "eyJleHBpcmF0aW9uIjogIjIwMzAtMDEtMDFUMDA6MDA6MDAuMDAwWiIsICJjb25kaXRpb25zIjogW3siYnVja2V0IjogImVtdWxhdGVkLXVwbG9hZHMifSwgWyJzdGFydHMtd2l0aCIsICIka2V5IiwgInVwbG9hZHMvIl0sIHsieC1hbXotYWxnb3JpdGhtIjogIkFXUzQtSE1BQy1TSEEyNTYifSwgeyJ4LWFtei1jcmVkZW50aWFsIjogIkFLSURFWEFNUExFLzIwMjkxMjMxL3VzLXdlc3QtMS9zMy9hd3M0X3JlcXVlc3QifSwgeyJ4LWFtei1kYXRlIjogIjIwMjkxMjMxVDEyMDAwMFoifV19"
        #expect(SignatureV4.sign(policy: policy, secret: Self.docSecret, date: "20291231", region: "us-west-1")
                == "0d020d0c11b7d1b60fcbaef40e887a0a10cafceb8464cc534d394aeba95d6aa0")
    }
}
