import Digests
import Testing

private func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var text: [UInt8] = []
    for byte in bytes { text += [digits[Int(byte >> 4)], digits[Int(byte & 15)]] }
    return String(decoding: text, as: UTF8.self)
}

private func repeated(_ byte: UInt8, _ count: Int) -> [UInt8] { [UInt8](repeating: byte, count: count) }

private let millionA = repeated(UInt8(ascii: "a"), 1_000_000)
private let twoBlocks = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)

// MARK: - Published digests

// FIPS 180-2, appendix A (SHA-1) and appendix B (SHA-256): one block, two blocks, a million "a";
// the empty message as given in NIST's example values.
@Test(arguments: [
    ("", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
    ("abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
    ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"),
])
func sha1(message: String, digest: String) {
    #expect(hex(DigestAlgorithm.sha1.hash(message.utf8)) == digest)
}

@Test(arguments: [
    ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
])
func sha256(message: String, digest: String) {
    #expect(hex(DigestAlgorithm.sha256.hash(message.utf8)) == digest)
}

@Test func millionTimesA() {
    #expect(hex(DigestAlgorithm.sha1.hash(millionA)) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    #expect(hex(DigestAlgorithm.sha256.hash(millionA)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
}

// RFC 1321, appendix A.5: the MD5 test suite.
@Test(arguments: [
    ("", "d41d8cd98f00b204e9800998ecf8427e"),
    ("a", "0cc175b9c0f1b6a831c399e269772661"),
    ("abc", "900150983cd24fb0d6963f7d28e17f72"),
    ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
    ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
    ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
    ("12345678901234567890123456789012345678901234567890123456789012345678901234567890", "57edf4a22be3c955ac49da2e2107b67a"),
])
func md5(message: String, digest: String) {
    #expect(hex(DigestAlgorithm.md5.hash(message.utf8)) == digest)
}

@Test func byteCounts() {
    #expect(DigestAlgorithm.allCases.map(\.byteCount) == [16, 20, 32])
    for algorithm in DigestAlgorithm.allCases {
        #expect(algorithm.hash([]).count == algorithm.byteCount)
        #expect(algorithm.hmac(key: [1, 2, 3], message: []).count == algorithm.byteCount)
    }
}

// MARK: - Published HMACs

private let keyOneToTwentyFive = (1...25).map { UInt8($0) }
private let largerThanBlockKeyFirst = Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)

// RFC 2202, section 3: the seven HMAC-SHA1 test cases (case 5 in full, before truncation).
@Test(arguments: [
    (repeated(0x0b, 20), Array("Hi There".utf8), "b617318655057264e28bc0b6fb378c8ef146be00"),
    (Array("Jefe".utf8), Array("what do ya want for nothing?".utf8), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"),
    (repeated(0xaa, 20), repeated(0xdd, 50), "125d7342b9ac11cd91a39af48aa17b4f63f175d3"),
    (keyOneToTwentyFive, repeated(0xcd, 50), "4c9007f4026250c6bc8414f9bf50c86c2d7235da"),
    (repeated(0x0c, 20), Array("Test With Truncation".utf8), "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04"),
    (repeated(0xaa, 80), largerThanBlockKeyFirst, "aa4ae5e15272d00e95705637ce8a3b55ed402112"),
    (repeated(0xaa, 80), Array("Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data".utf8),
     "e8e99d0f45237d786d6bbaa7965c7808bbff1a91"),
])
func hmacSHA1(key: [UInt8], message: [UInt8], mac: String) {
    #expect(hex(DigestAlgorithm.sha1.hmac(key: key, message: message)) == mac)
}

// RFC 4231, section 4: test cases 1 to 7 for HMAC-SHA-256 (case 5 is published truncated to 128 bits).
@Test(arguments: [
    (repeated(0x0b, 20), Array("Hi There".utf8), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
    (Array("Jefe".utf8), Array("what do ya want for nothing?".utf8), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
    (repeated(0xaa, 20), repeated(0xdd, 50), "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
    (keyOneToTwentyFive, repeated(0xcd, 50), "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
    (repeated(0xaa, 131), largerThanBlockKeyFirst, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
    (repeated(0xaa, 131), Array(("This is a test using a larger than block-size key and a larger than block-size data. "
                                 + "The key needs to be hashed before being used by the HMAC algorithm.").utf8),
     "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
])
func hmacSHA256(key: [UInt8], message: [UInt8], mac: String) {
    #expect(hex(DigestAlgorithm.sha256.hmac(key: key, message: message)) == mac)
}

@Test func hmacSHA256TruncatedCase() {
    let mac = DigestAlgorithm.sha256.hmac(key: repeated(0x0c, 20), message: Array("Test With Truncation".utf8))
    #expect(hex(Array(mac.prefix(16))) == "a3b6167473100ee06e0c796c2955552b")
}

// An empty key is a key like any other (values from Python's hmac module, an independent implementation).
@Test func hmacWithEmptyKeyAndMessage() {
    #expect(hex(DigestAlgorithm.sha1.hmac(key: [], message: [])) == "fbdb1d1b18aa6c08324b7d64b71fb76370690e1d")
    #expect(hex(DigestAlgorithm.sha256.hmac(key: [], message: []))
        == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
}

// MARK: - Streaming

/// 100,003 bytes of a fixed pseudo-random sequence: not a whole number of blocks of any of the three.
private let longMessage: [UInt8] = {
    var state: UInt32 = 0x2545_F491
    return (0..<100_003).map { _ in
        state ^= state << 13
        state ^= state >> 17
        state ^= state << 5
        return UInt8(truncatingIfNeeded: state)
    }
}()

@Test(arguments: DigestAlgorithm.allCases)
func streamingEqualsOneShot(algorithm: DigestAlgorithm) {
    // Chunks smaller than, equal to, and across the 64-byte block, an empty one, then the rest.
    var digest = StreamingDigest(algorithm)
    var offset = 0
    for size in [1, 0, 63, 64, 65, 127, 4096, 1 << 15] {
        digest.update(longMessage[offset..<offset + size])
        offset += size
    }
    digest.update(longMessage[offset...])
    #expect(digest.finalize() == algorithm.hash(longMessage))
    #expect(digest.algorithm == algorithm)
}

@Test func streamingMillionTimesAInChunks() {
    var sha1 = StreamingDigest(.sha1), sha256 = StreamingDigest(.sha256)
    for start in stride(from: 0, to: millionA.count, by: 999) {
        let chunk = millionA[start..<min(start + 999, millionA.count)]
        sha1.update(chunk)
        sha256.update(chunk)
    }
    #expect(hex(sha1.finalize()) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    #expect(hex(sha256.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
}

@Test func finalizeLeavesTheComputationGoingOn() {
    var digest = StreamingDigest(.sha256)
    #expect(hex(digest.finalize()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    digest.update("ab".utf8)
    #expect(digest.finalize() == digest.finalize())
    digest.update("c".utf8)
    #expect(hex(digest.finalize()) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
}

@Test func copiesAreIndependent() {
    var first = StreamingDigest(.md5)
    first.update(twoBlocks.prefix(20))
    var second = first
    first.update(twoBlocks.dropFirst(20))
    second.update("!".utf8)
    #expect(first.finalize() == DigestAlgorithm.md5.hash(twoBlocks))
    #expect(second.finalize() == DigestAlgorithm.md5.hash(twoBlocks.prefix(20) + Array("!".utf8)))
}

@Test func bytesWithoutContiguousStorage() {
    // A lazy sequence has no contiguous storage: its bytes are gathered first, with the same result.
    let lazyBytes = (0..<300).lazy.map { UInt8(truncatingIfNeeded: $0) }
    let array = Array(lazyBytes)
    for algorithm in DigestAlgorithm.allCases {
        #expect(algorithm.hash(lazyBytes) == algorithm.hash(array))
        #expect(algorithm.hmac(key: lazyBytes, message: lazyBytes) == algorithm.hmac(key: array, message: array))
        var digest = StreamingDigest(algorithm)
        digest.update(lazyBytes)
        #expect(digest.finalize() == algorithm.hash(array))
    }
}
