// swift-tools-version: 6.1
// Roster: a scriptable contact importer. Layout and dependency direction follow docs/design.md:
// roster -> Bindings -> Pipeline -> clients (Omnigage, Whispir) -> Transport / Tabular; LuaRuntime knows nothing of contacts.
import PackageDescription

let swiftSettings: [SwiftSetting] = [.swiftLanguageMode(.v6)]

// Every package comes from the offline list (env skill's machine doc), by URL and a listed version.
let dependencies: [Package.Dependency] = [
    .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
    .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
    .package(url: "https://github.com/weichsel/ZIPFoundation", exact: "0.9.20"),
    .package(url: "https://github.com/x-sheep/swift-property-based", exact: "2.0.1"),
    .package(url: "https://github.com/swift-server/async-http-client", exact: "1.37.0"),
    .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
]

// C libraries from Debian (installed by scripts/setup).
let systemLibraries: [Target] = [
    .systemLibrary(name: "CLua", path: "Sources/CLua", pkgConfig: "lua5.4", providers: [.apt(["liblua5.4-dev"])]),
    .systemLibrary(name: "CLibXML2", path: "Sources/CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
    .systemLibrary(name: "SystemZlib", path: "Sources/SystemZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
    .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
]

// MD5, SHA-1, SHA-256 and HMAC from the system's libcrypto (the journal's hashes, the sandbox's S3 signatures and ETags).
let digestTargets: [Target] = [
    .target(name: "Digests", dependencies: ["COpenSSL"], swiftSettings: swiftSettings),
    .testTarget(name: "DigestsTests", dependencies: ["Digests"], swiftSettings: swiftSettings),
]

// Embedded Lua: the C shim for the API's macros and the Swift owner of a lua_State.
let luaTargets: [Target] = [
    .target(name: "CLuaShim", dependencies: ["CLua"], path: "Sources/CLuaShim"),
    .target(name: "LuaRuntime", dependencies: ["CLua", "CLuaShim"], swiftSettings: swiftSettings),
    .testTarget(name: "LuaRuntimeTests", dependencies: ["LuaRuntime", "RosterTestSupport"], swiftSettings: swiftSettings),
    // roster.json: JSON text to and from Lua values on the stack (a Lua library; knows nothing of contacts).
    .target(name: "LuaJSON", dependencies: ["LuaRuntime"], swiftSettings: swiftSettings),
]

// Streaming readers and writers (CSV, XLSX, JSON, XML).
let tabularTargets: [Target] = [
    // libxml2 behind a C surface of its own: its headers (via Debian's ICU) clash with Foundation's ICU in Swift.
    .target(name: "CTabularXML", dependencies: ["CLibXML2"], path: "Sources/CTabularXML"),
    .target(name: "Tabular", dependencies: [
        "CTabularXML", "SystemZlib",
        .product(name: "ZIPFoundation", package: "ZIPFoundation"),
    ], swiftSettings: swiftSettings),
    .testTarget(name: "TabularTests", dependencies: [
        "Tabular", "TabularFuzz", "RosterTestSupport",
        .product(name: "PropertyBased", package: "swift-property-based"),
    ], exclude: ["Fixtures"], swiftSettings: swiftSettings),
    // The readers' fuzz harness: a seeded mutation campaign (tests, scripts/fuzz) or, built with
    // -sanitize=fuzzer -DFUZZING, a libFuzzer target.
    .target(name: "TabularFuzz", dependencies: [
        "Tabular",
        .product(name: "ZIPFoundation", package: "ZIPFoundation"),
    ], swiftSettings: swiftSettings),
    .executableTarget(name: "roster-fuzz", dependencies: ["TabularFuzz"], swiftSettings: swiftSettings),
]

// HTTP transport, S3 POST upload, and the vendors' clients.
let clientTargets: [Target] = [
    .target(name: "Transport", dependencies: [
        .product(name: "Logging", package: "swift-log"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
    ], swiftSettings: swiftSettings),
    .target(name: "Omnigage", dependencies: ["Transport", "Tabular"], swiftSettings: swiftSettings),
    .target(name: "Whispir", dependencies: ["Transport", "Tabular", "Toolkit"], swiftSettings: swiftSettings),
    // Test-only library: the loopback HTTP test server shared by the client test targets.
    .target(name: "RosterTestSupport", dependencies: [
        .product(name: "Hummingbird", package: "hummingbird"),
    ], path: "Tests/RosterTestSupport", swiftSettings: swiftSettings),
    .testTarget(name: "TransportTests", dependencies: [
        "Transport", "RosterTestSupport",
        .product(name: "Hummingbird", package: "hummingbird"),
    ], swiftSettings: swiftSettings),
    .testTarget(name: "OmnigageTests", dependencies: [
        "Omnigage", "RosterTestSupport",
        .product(name: "Hummingbird", package: "hummingbird"),
    ], swiftSettings: swiftSettings),
    .testTarget(name: "WhispirTests", dependencies: [
        "Whispir", "RosterTestSupport",
        .product(name: "Hummingbird", package: "hummingbird"),
    ], swiftSettings: swiftSettings),
]

// The local emulator of Omnigage, Whispir and S3 POST.
let sandboxTargets: [Target] = [
    .target(name: "Sandbox", dependencies: [
        "Tabular", "Digests",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "Logging", package: "swift-log"),
    ], swiftSettings: swiftSettings),
    .testTarget(name: "SandboxTests", dependencies: [
        "Sandbox",
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "ZIPFoundation", package: "ZIPFoundation"),
    ], swiftSettings: swiftSettings),
]

// The customer's toolkit: phone numbers (libphonenumber behind a C surface), email, text, names, dates.
let toolkitTargets: [Target] = [
    .target(name: "CPhoneNumber", path: "Sources/CPhoneNumber", linkerSettings: [.linkedLibrary("phonenumber")]),
    .target(name: "Toolkit", dependencies: ["CPhoneNumber"], swiftSettings: swiftSettings),
    .testTarget(name: "ToolkitTests", dependencies: ["Toolkit"], swiftSettings: swiftSettings),
]

// The job layer (row accounting, errors file, journal), the `roster` Lua module and the executable.
let appTargets: [Target] = [
    .target(name: "Pipeline", dependencies: [
        "Tabular", "Transport", "Omnigage", "Whispir", "Toolkit", "Digests",
        .product(name: "Logging", package: "swift-log"),
    ], swiftSettings: swiftSettings),
    // Bindings reaches the vendor modules only to expose their low-level calls one to one.
    .target(name: "Bindings", dependencies: [
        "LuaRuntime", "LuaJSON", "Tabular", "Pipeline", "Transport", "Omnigage", "Whispir", "Toolkit",
        .product(name: "Logging", package: "swift-log"),
    ], swiftSettings: swiftSettings),
    .executableTarget(name: "roster", dependencies: [
        "Bindings", "Pipeline", "LuaRuntime", "Tabular", "Sandbox", "Transport",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
    ], swiftSettings: swiftSettings),
    .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "Sandbox", "RosterTestSupport"], swiftSettings: swiftSettings),
    .testTarget(name: "BindingsTests", dependencies: ["Bindings", "LuaRuntime", "Sandbox", "Transport", "RosterTestSupport"], swiftSettings: swiftSettings),
    .testTarget(name: "RosterTests", dependencies: ["roster", "RosterTestSupport"], swiftSettings: swiftSettings),
]

let package = Package(
    name: "Roster",
    platforms: [.macOS(.v14)],
    products: [.executable(name: "roster", targets: ["roster"])],
    dependencies: dependencies,
    targets: systemLibraries + digestTargets + luaTargets + tabularTargets + clientTargets + sandboxTargets + toolkitTargets + appTargets,
    cxxLanguageStandard: .cxx17
)
