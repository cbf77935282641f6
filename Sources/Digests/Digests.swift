import COpenSSL

/// A hash function of the system's OpenSSL libcrypto (Debian's libssl-dev), through its EVP interface.
public enum DigestAlgorithm: Sendable, CaseIterable {
    /// MD5 (RFC 1321): broken for signatures, kept for S3's ETags.
    case md5
    /// SHA-1 (FIPS 180-4): for HMAC-SHA1 (AWS Signature Version 2).
    case sha1
    /// SHA-256 (FIPS 180-4).
    case sha256

    /// The length of a digest in bytes: 16 for MD5, 20 for SHA-1, 32 for SHA-256.
    public var byteCount: Int {
        switch self {
        case .md5: 16
        case .sha1: 20
        case .sha256: 32
        }
    }

    /// libcrypto's static description of the function.
    fileprivate var evp: OpaquePointer? {
        switch self {
        case .md5: EVP_md5()
        case .sha1: EVP_sha1()
        case .sha256: EVP_sha256()
        }
    }

    /// The digest of `bytes`, in one call.
    public func hash(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: byteCount)
        var length: UInt32 = 0
        let status = withBytes(bytes) { input in
            digest.withUnsafeMutableBufferPointer { output in
                EVP_Digest(input.baseAddress, input.count, output.baseAddress, &length, evp, nil)
            }
        }
        check(status == 1 && Int(length) == byteCount, "EVP_Digest")
        return digest
    }

    /// HMAC (RFC 2104) of `message` under `key` with this hash function.
    public func hmac(key: some Sequence<UInt8>, message: some Sequence<UInt8>) -> [UInt8] {
        // A one-byte buffer behind an empty key: libcrypto gets a valid pointer with length 0, never NULL.
        let key = Array(key)
        let keyBuffer = key.isEmpty ? [0] : key
        var mac = [UInt8](repeating: 0, count: byteCount)
        var length: UInt32 = 0
        let result = keyBuffer.withUnsafeBytes { keyBytes in
            withBytes(message) { input in
                mac.withUnsafeMutableBufferPointer { output in
                    HMAC(evp, keyBytes.baseAddress, Int32(key.count),
                         input.baseAddress?.assumingMemoryBound(to: UInt8.self), input.count, output.baseAddress, &length)
                }
            }
        }
        check(result != nil && Int(length) == byteCount, "HMAC")
        return mac
    }
}

/// A digest of bytes that arrive in pieces: `update` with each piece, then `finalize`. Copies are
/// independent (a copy that is updated gets a context of its own, as an array gets its storage).
public struct StreamingDigest {
    /// The hash function this computation uses.
    public let algorithm: DigestAlgorithm
    private var context: DigestContext

    /// A computation with `algorithm` that has seen no bytes yet.
    public init(_ algorithm: DigestAlgorithm) {
        self.algorithm = algorithm
        context = DigestContext(algorithm)
    }

    /// Adds `bytes` (of any length, also none) to the message.
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        if !isKnownUniquelyReferenced(&context) { context = DigestContext(copying: context) }
        let pointer = context.pointer
        let status = withBytes(bytes) { EVP_DigestUpdate(pointer, $0.baseAddress, $0.count) }
        check(status == 1, "EVP_DigestUpdate")
    }

    /// The digest of every byte added so far. The computation is left as it was, so more bytes may follow.
    public func finalize() -> [UInt8] {
        let finished = DigestContext(copying: context)
        var digest = [UInt8](repeating: 0, count: algorithm.byteCount)
        var length: UInt32 = 0
        let status = digest.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(finished.pointer, $0.baseAddress, &length) }
        check(status == 1 && Int(length) == algorithm.byteCount, "EVP_DigestFinal_ex")
        return digest
    }
}

/// Owns one EVP_MD_CTX.
private final class DigestContext {
    let pointer: OpaquePointer

    init(_ algorithm: DigestAlgorithm) {
        pointer = Self.allocate()
        check(EVP_DigestInit_ex(pointer, algorithm.evp, nil) == 1, "EVP_DigestInit_ex")
    }

    init(copying other: DigestContext) {
        pointer = Self.allocate()
        check(EVP_MD_CTX_copy_ex(pointer, other.pointer) == 1, "EVP_MD_CTX_copy_ex")
    }

    deinit { EVP_MD_CTX_free(pointer) }

    private static func allocate() -> OpaquePointer {
        guard let context = EVP_MD_CTX_new() else { fatalError("libcrypto: EVP_MD_CTX_new could not allocate a context") }
        return context
    }
}

/// Calls `body` with the bytes of `bytes` in contiguous memory, copying them only when they are not already.
private func withBytes<R>(_ bytes: some Sequence<UInt8>, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    if let result = bytes.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) { return result }
    return Array(bytes).withUnsafeBytes(body)
}

/// libcrypto fails these calls only when it runs out of memory or the algorithm was disabled (a
/// FIPS-only configuration without MD5): neither leaves a way to go on.
private func check(_ succeeded: Bool, _ call: StaticString) {
    precondition(succeeded, "libcrypto: \(call) failed")
}
