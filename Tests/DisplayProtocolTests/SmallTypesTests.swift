import DisplayProtocol
import Testing

/// Versions, tokens, error codes and the default socket path (docs/protocol.md §2, §4, §9).
struct SmallTypesTests {
    @Test func versionsPackAsMajorAndMinor() {
        #expect(DisplayProtocolVersion.current == DisplayProtocolVersion(major: 1, minor: 2))
        #expect(DisplayProtocolVersion.current.packed == 0x0001_0002)
        #expect(DisplayProtocolVersion(packed: 0x0002_0003) == DisplayProtocolVersion(major: 2, minor: 3))
        #expect(DisplayProtocolVersion(major: 1, minor: 9) < DisplayProtocolVersion(major: 2, minor: 0))
    }

    @Test func leaseTokensHoldSixteenBytes() {
        #expect(LeaseToken(bytes: [1, 2, 3]) == nil)
        #expect(LeaseToken(high: 0x0102_0304_0506_0708, low: 0x090a_0b0c_0d0e_0f10).bytes == Array(1...16))
        #expect(LeaseToken(high: 0, low: 0xff).description == "000000000000000000000000000000ff")
    }

    @Test func errorCodesHaveTheDocumentedNumbers() {
        let codes: [ProtocolErrorCode] = [.protocolError, .noSuchObject, .permissionDenied, .invalidArgument, .badMemory,
                                          .unsupportedFormat, .limitExceeded, .version]
        #expect(codes.map(\.rawValue) == Array(1...8))
        #expect(ProtocolErrorCode(rawValue: 42).description == "error 42")
    }

    @Test func theDefaultSocketIsInTheRuntimeDirectory() {
        #expect(DisplaySocketPath.defaultPath(runtimeDirectory: "/run/user/1000", userID: 1000) == "/run/user/1000/porthole-0")
        #expect(DisplaySocketPath.defaultPath(runtimeDirectory: "/run/user/1000/", userID: 1000) == "/run/user/1000/porthole-0")
        #expect(DisplaySocketPath.defaultPath(runtimeDirectory: nil, userID: 1000) == "/tmp/porthole-1000/porthole-0")
        #expect(DisplaySocketPath.defaultPath(runtimeDirectory: "relative", userID: 0) == "/tmp/porthole-0/porthole-0")
    }

    @Test func messageTypesAreSplitByDirection() {
        #expect(DisplayMessageType.clientToServer.allSatisfy { $0.rawValue < 0x8000 })
        #expect(DisplayMessageType.serverToClient.allSatisfy { $0.rawValue >= 0x8000 })
        #expect(DisplayMessageType.commit.description == "Commit (0x0016)")
        #expect(DisplayMessageType(rawValue: 0x1234).name == "0x1234")
    }
}
