import Testing
import VNCAuth

struct VNCAuthenticationTests {
    let challenge: [UInt8] = Array(0..<16)

    @Test func theRightPasswordVerifiesAndOthersDoNot() {
        let response = VNCAuthentication.response(challenge: challenge, password: Array("s3cret".utf8))
        #expect(response.count == 16)
        #expect(response != challenge)
        #expect(VNCAuthentication.verify(response: response, challenge: challenge, password: Array("s3cret".utf8)))
        #expect(!VNCAuthentication.verify(response: response, challenge: challenge, password: Array("s3cres".utf8)))
        #expect(!VNCAuthentication.verify(response: Array(response.prefix(15)), challenge: challenge, password: Array("s3cret".utf8)))
    }

    @Test func onlyTheFirstEightBytesCount() {
        let a = VNCAuthentication.response(challenge: challenge, password: Array("12345678abc".utf8))
        let b = VNCAuthentication.response(challenge: challenge, password: Array("12345678xyz".utf8))
        #expect(a == b)
    }

    /// Known answer from `openssl enc -des-ecb -nopad -K 0e86ceceeef64e26` (the bit-reversed key
    /// "password") on the challenge 00 01 ... 0f.
    @Test func knownAnswer() {
        let response = VNCAuthentication.response(challenge: challenge, password: Array("password".utf8))
        #expect(response == [0xb8, 0x66, 0x92, 0x41, 0x25, 0xc8, 0xee, 0xbb, 0x9d, 0xeb, 0xc1, 0xdb, 0x61, 0xc5, 0x38, 0xe2])
    }

    @Test func passwordFileIsItsFirstLine() {
        #expect(VNCAuthentication.password(fromFileContents: Array("pw\nrest".utf8)) == Array("pw".utf8))
        #expect(VNCAuthentication.password(fromFileContents: Array("pw\r\n".utf8)) == Array("pw".utf8))
    }
}
