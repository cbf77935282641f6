import Transport

/// One kind of import target, as scripts make it (`roster.NAME{...}`): its constructor options and
/// how to build it from them and the environment. A new vendor registers one kind here.
public struct TargetKind: Sendable {
    public let name: String
    /// Options `roster.NAME{...}` accepts (all strings).
    public let optionKeys: Set<String>
    /// Options naming credentials or endpoints: ignored when the run uses the sandbox.
    public let credentialKeys: Set<String>
    let make: @Sendable (_ options: [String: String], _ environment: [String: String], _ transport: HTTPTransport) throws -> any ImportTarget

    public init(name: String, optionKeys: Set<String>, credentialKeys: Set<String>,
                make: @escaping @Sendable (_ options: [String: String], _ environment: [String: String], _ transport: HTTPTransport) throws
                    -> any ImportTarget) {
        self.name = name
        self.optionKeys = optionKeys
        self.credentialKeys = credentialKeys
        self.make = make
    }

    /// Builds a target from a script's options: every key checked, credentials from the environment
    /// unless given; with `sandboxed`, credential options are dropped so the sandbox's apply.
    public func make(options: [String: JSONValue], environment: [String: String], transport: HTTPTransport,
                     sandboxed: Bool) throws -> any ImportTarget {
        let reader = try OptionReader(options, function: "roster.\(name)", known: optionKeys)
        var strings: [String: String] = [:]
        for key in optionKeys where !(sandboxed && credentialKeys.contains(key)) {
            strings[key] = try reader.string(key)
        }
        return try make(strings, environment, transport)
    }
}

/// The targets Roster knows. Bindings exposes each as `roster.NAME{...}`; Omnigage and Whispir also
/// get their low-level calls.
public enum TargetCatalog {
    public static let kinds: [TargetKind] = [OmnigageTarget.kind, WhispirTarget.kind]

    public static func kind(named name: String) -> TargetKind? {
        kinds.first { $0.name == name }
    }
}
