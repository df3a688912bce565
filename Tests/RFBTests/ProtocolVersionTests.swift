import Testing
import RFB

struct ProtocolVersionTests {
    private func negotiated(_ text: String) throws -> ProtocolVersion {
        try ProtocolVersion(wireBytes: Array(text.utf8)).negotiated()
    }

    @Test func standardVersionsAreSpokenAsTheyAre() throws {
        #expect(try negotiated("RFB 003.003\n") == .v3_3)
        #expect(try negotiated("RFB 003.007\n") == .v3_7)
        #expect(try negotiated("RFB 003.008\n") == .v3_8)
    }

    @Test func nonStandardVersionsBetweenKnownOnesFallBackToTheLowerOne() throws {
        #expect(try negotiated("RFB 003.004\n") == .v3_3)
        #expect(try negotiated("RFB 003.005\n") == .v3_3)
        #expect(try negotiated("RFB 003.006\n") == .v3_3)
    }

    @Test func appleRemoteDesktopIsTreatedAs33() throws {
        #expect(try negotiated("RFB 003.889\n") == .v3_3)
    }

    @Test func newerVersionsAreTreatedAs38() throws {
        #expect(try negotiated("RFB 004.000\n") == .v3_8)
        #expect(try negotiated("RFB 003.009\n") == .v3_8)
        #expect(try negotiated("RFB 005.000\n") == .v3_8)
    }

    @Test func versionsBelow33AreRefused() {
        #expect(throws: ProtocolVersion.ParseError.unsupported(ProtocolVersion(major: 3, minor: 2))) {
            try negotiated("RFB 003.002\n")
        }
        #expect(throws: ProtocolVersion.ParseError.self) { try negotiated("RFB 002.009\n") }
    }

    @Test(arguments: ["RFB 003.00\n\n", "RFB 003.008 ", "rfb 003.008\n", "RFB 0x3.008\n", "HTTP/1.1 200", "RFB 003,008\n"])
    func garbageIsMalformed(_ text: String) {
        #expect(throws: ProtocolVersion.ParseError.malformed(Array(text.utf8))) {
            try ProtocolVersion(wireBytes: Array(text.utf8))
        }
    }

    @Test func wrongLengthIsMalformed() {
        #expect(throws: ProtocolVersion.ParseError.self) { try ProtocolVersion(wireBytes: Array("RFB 003.008".utf8)) }
    }

    @Test func wireBytesRoundTrip() throws {
        #expect(ProtocolVersion.v3_8.wireBytes == Array("RFB 003.008\n".utf8))
        #expect(try ProtocolVersion(wireBytes: ProtocolVersion(major: 3, minor: 889).wireBytes) == ProtocolVersion(major: 3, minor: 889))
    }

    @Test func malformedDescriptionShowsPrintableBytes() {
        let error = ProtocolVersion.ParseError.malformed(Array("GET / HTTP\r\n".utf8))
        #expect(error.description == "malformed protocol version \"GET / HTTP..\"")
    }
}
