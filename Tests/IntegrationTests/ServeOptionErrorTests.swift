import Foundation
import Testing

/// `porthole serve` refuses options it cannot honour before it listens, with one line that names
/// the option and the problem (no Foundation error dump), and a non-zero exit.
@Suite struct ServeOptionErrorTests {
    @Test(arguments: [
        (["--password-file", "/nonexistent/porthole-password"], "cannot read the password file /nonexistent/porthole-password: no such file"),
        (["--password-file", "/"], "cannot read the password file /: not a readable file"),
        (["--max-viewers", "0"], "--max-viewers must be at least 1, not 0"),
        (["--max-pixels-per-producer", "1000"], "--max-pixels-per-producer applies to --device"),
        (["--device", "--max-pixels", "0"], "--max-pixels must be 1...1099511627776, not 0"),
    ])
    func badOptionIsRefusedWithItsReason(arguments: [String], message: String) async throws {
        let scratch = try ScratchDirectory("serve-option-error")
        let result = try await ProcessRunner.run(try PortholeServer.binary(),
                                                 ["serve", "--listen", "127.0.0.1:0", "--size", "64x64"] + arguments, in: scratch, timeout: 20)
        #expect(!result.timedOut && result.exitStatus != 0, "\(result.summary)")
        #expect(result.output.contains(message), "\(result.output)")
        #expect(!result.output.contains("Domain="), "\(result.output)")
        #expect(!result.output.contains("listening on"), "\(result.output)")
    }

    /// `--version` answers at once, from any subcommand, without listening.
    @Test func versionNamesTheReleaseAndTheProtocols() async throws {
        let scratch = try ScratchDirectory("porthole-version")
        for arguments in [["--version"], ["serve", "--version"]] {
            let result = try await ProcessRunner.run(try PortholeServer.binary(), arguments, in: scratch, timeout: 20)
            #expect(result.exitStatus == 0, "\(result.summary)")
            #expect(result.output.range(of: #"^porthole \d+\.\d+\.\d+ \(RFB 3\.8; display protocol \d+\.\d+\)\n?$"#, options: .regularExpression) != nil,
                    "\(result.output)")
        }
    }
}
