import Foundation

/// The small C programs in `peers/` that drive a Debian library no command-line tool exposes
/// (libvncclient's decoders, xcb's colormap requests), compiled into the test's scratch directory
/// against that library as pkg-config describes it.
enum CPeerProgram {
    /// Compiles `peers/NAME.c` against the pkg-config `package` (well under a second) and returns
    /// the binary's path.
    static func build(_ name: String, against package: String, in scratch: ScratchDirectory) async throws -> String {
        guard let source = Bundle.module.url(forResource: name, withExtension: "c", subdirectory: "peers") else {
            throw HarnessError("peers/\(name).c is missing from the test bundle's resources")
        }
        let flags = try await ProcessRunner.check(try requirePeer("pkg-config"), ["--cflags", "--libs", package], in: scratch)
        let binary = scratch.file(name).path
        try await ProcessRunner.check(try requirePeer("cc"),
                                      ["-O1", "-Wall", "-o", binary, source.path] + flags.split(whereSeparator: \.isWhitespace).map(String.init),
                                      in: scratch, timeout: 120)
        return binary
    }
}
