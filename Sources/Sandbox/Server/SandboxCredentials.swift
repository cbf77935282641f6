/// The fixed credentials the sandbox accepts. They are public on purpose: the sandbox only ever
/// listens on 127.0.0.1, and clients pointed at it need to know what to send.
public enum SandboxCredentials {
    /// Omnigage API token key (Basic auth user name).
    public static let omnigageTokenKey = "sandbox-key"
    /// Omnigage API token secret (Basic auth password).
    public static let omnigageTokenSecret = "sandbox-secret"
    /// Omnigage `X-Account-Key` header value.
    public static let omnigageAccountKey = "sandbox"

    /// Access key id the emulated S3 accepts in `AWSAccessKeyId`.
    public static let s3AccessKeyID = "AKIASANDBOXEXAMPLE00"
    /// Secret that signs (HMAC-SHA1, SigV2) the POST policies handed out by the emulated Omnigage.
    public static let s3SecretAccessKey = "SANDBOXSECRETKEY00000000000000000000000000"
    /// The emulated bucket, addressed path-style: `http://127.0.0.1:PORT/s3/<bucket>/`.
    public static let s3Bucket = "roster-sandbox"

    /// Whispir API key (`x-api-key` header and `apikey` query parameter).
    public static let whispirAPIKey = "sandbox-api-key"
    /// Whispir user name (Basic auth).
    public static let whispirUsername = "sandbox.user"
    /// Whispir password (Basic auth).
    public static let whispirPassword = "sandbox-password"
    /// Id of the default "My Company" workspace that unscoped Whispir paths act on.
    public static let whispirDefaultWorkspace = "9A4C5521FFC7B15B"
    /// Id of a second workspace, for tests that need data kept apart.
    public static let whispirSecondWorkspace = "B7E2D0C4A1F39E68"
}
