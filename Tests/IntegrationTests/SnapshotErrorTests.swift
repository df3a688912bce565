import Foundation
import Testing

/// `porthole snapshot` says in one line why it got no picture: nobody listening, or a password
/// file it cannot read, with a non-zero exit and no NIO or Foundation error dump.
@Suite struct SnapshotErrorTests {
    @Test func nobodyListeningIsSaidPlainly() async throws {
        let scratch = try ScratchDirectory("snapshot-refused")
        let port = try FreeTCPPort.pick()
        let result = try await ProcessRunner.run(try PortholeServer.binary(),
                                                 ["snapshot", "127.0.0.1:\(port)", scratch.uniqueFile("out", extension: "png").path],
                                                 in: scratch, timeout: 20)
        #expect(!result.timedOut && result.exitStatus != 0, "\(result.summary)")
        #expect(result.output.contains("cannot connect to 127.0.0.1:\(port): Connection refused"), "\(result.output)")
        #expect(!result.output.contains("SingleConnectionFailure") && !result.output.contains("leaking promise"), "\(result.output)")
    }

    @Test func unreadablePasswordFileIsSaidPlainly() async throws {
        let scratch = try ScratchDirectory("snapshot-password-file")
        let result = try await ProcessRunner.run(try PortholeServer.binary(),
                                                 ["snapshot", "127.0.0.1:1", scratch.uniqueFile("out", extension: "png").path,
                                                  "--password-file", "/nonexistent/porthole-password"], in: scratch, timeout: 20)
        #expect(!result.timedOut && result.exitStatus != 0, "\(result.summary)")
        #expect(result.output.contains("cannot read the password file /nonexistent/porthole-password: no such file"), "\(result.output)")
        #expect(!result.output.contains("Domain="), "\(result.output)")
    }
}
