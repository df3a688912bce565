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

    /// The server's reading of a viewer's answer (RFC 6143 §7.1.1): only 3.7 and 3.8 are spoken as
    /// they are, every other version as 3.3 (where `negotiated()`, a client reading an offer, says
    /// 3.8 for 4.0 and refuses 3.2).
    @Test func viewerAnswersOtherThan37And38AreSpokenAs33() throws {
        func spoken(_ text: String) throws -> ProtocolVersion { try ProtocolVersion(wireBytes: Array(text.utf8)).spokenWhenViewerAnswers }
        #expect(try spoken("RFB 003.007\n") == .v3_7)
        #expect(try spoken("RFB 003.008\n") == .v3_8)
        for other in ["RFB 003.003\n", "RFB 003.005\n", "RFB 003.889\n", "RFB 004.000\n", "RFB 003.009\n", "RFB 003.002\n", "RFB 000.000\n"] {
            #expect(try spoken(other) == .v3_3, "\(other)")
        }
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
