import Foundation
import Logging
import Transport

final class Script: @unchecked Sendable {  // unchecked: all state is only touched while holding `lock`.
    private let lock = NSLock()
    private var counters: [String: Int] = [:]

    /// How many times `key` was hit, this hit included.
    func hit(_ key: String) -> Int {
        lock.withLock {
            counters[key, default: 0] += 1
            return counters[key, default: 0]
        }
    }
}

/// Builds an uploads response document whose form posts to `s3URL`.
func uploadDocument(id: String, s3URL: String, expiresAt: Date) -> String {
    """
    {"data":{"type":"uploads","id":"\(id)","attributes":{
      "expires-at":"\(HTTPDate.format(expiresAt))","max-length-in-bytes":5368724480,
      "request-url":"\(s3URL)","request-method":"post",
      "request-headers":[{"x-amz-server-side-encryption":"AES256"}],
      "request-form-data":[{"acl":"private"},{"AWSAccessKeyId":"AKIAEXAMPLE"},{"key":"uploads/\(id)/${filename}"},
                           {"policy":"cG9saWN5"},{"signature":"c2lnbmF0dXJl"}]}}}
    """
}

func importDocument(id: String, status: String, created: Int = 0) -> String {
    """
    {"data":{"type":"import-contacts","id":"\(id)","attributes":{"status":"\(status)","unique-primary-phone":true,
      "header":["First Name","Phone Number"],"mapping":["first-name","phone1-phone-number"],
      "count-created":\(created),"count-erred":0,"count-total":\(created)},
     "relationships":{"errors-file":{"data":null},"list":{"data":null}}}}
    """
}

func makeTransport() -> HTTPTransport {
    // Generous: on a loaded 2-core machine the in-process server can wait over 30 s for a pool thread.
    HTTPTransport(configuration: TransportConfiguration(
        connectTimeout: .seconds(2), readTimeout: .seconds(120), totalTimeout: .seconds(300),
        retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(50), maxDelay: .milliseconds(200))))
}

func temporaryFile(_ text: String, name: String = "contacts.csv") throws -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("roster-og-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let url = directory.appendingPathComponent(name)
    try Data(text.utf8).write(to: url)
    return url.path
}

/// Removes a file made by `temporaryFile` together with its scratch directory.
func removeTemporaryFile(_ path: String) {
    try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path)
}
