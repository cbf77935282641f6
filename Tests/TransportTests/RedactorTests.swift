import Testing
@testable import Transport

@Suite struct RedactorTests {
    let redactor = Redactor.standard

    @Test func masksSensitiveHeadersWhateverTheirCase() {
        let headers = redactor.redact(headers: [
            ("Authorization", "Basic dXNlcjpzZWNyZXQ="), ("X-API-KEY", "KEY123"), ("x-account-key", "firstbank"),
            ("Content-Type", "text/csv"),
        ])
        #expect(headers.map(\.1) == [Redactor.mask, Redactor.mask, "firstbank", "text/csv"])
    }

    @Test func masksApiKeyQueryValueAndKeepsTheRest() {
        #expect(redactor.redact(url: "https://api.au.whispir.com/imports?apikey=KEY123&x=1")
            == "https://api.au.whispir.com/imports?apikey=***&x=1")
    }

    @Test func masksPresignedQuerySignatures() {
        let url = "https://b.s3.amazonaws.com/k?AWSAccessKeyId=AKIA1&Signature=abc%2B&Expires=1&X-Amz-Signature=ff&X-Amz-Credential=AKIA%2F2024"
        #expect(redactor.redact(url: url)
            == "https://b.s3.amazonaws.com/k?AWSAccessKeyId=***&Signature=***&Expires=1&X-Amz-Signature=***&X-Amz-Credential=***")
    }

    @Test func removesUserInfoFromURLs() {
        #expect(redactor.redact(url: "https://user:pw@host/p?q=1") == "https://***@host/p?q=1")
    }

    @Test func masksFormFieldsAndCredentialsInsideText() {
        let text = "policy=eyJleHA signature=XZHF/Ag= key=uploads/1 Authorization: Basic dXNlcjpzZWNyZXQ= apikey=K1&x-amz-signature=00ff"
        let shown = redactor.redact(text: text)
        #expect(shown == "policy=*** signature=*** key=uploads/1 Authorization: Basic *** apikey=***&x-amz-signature=***")
    }

    @Test func basicCredentialsNeverPrintTheirPassword() {
        let credentials = BasicCredentials(user: "key", password: "s3cret")
        #expect(!String(describing: credentials).contains("s3cret"))
        #expect(credentials.authorizationHeader == "Basic a2V5OnMzY3JldA==")
    }
}
