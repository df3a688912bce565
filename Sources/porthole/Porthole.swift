import ArgumentParser
import DisplayProtocol

/// The `porthole` command: each subcommand parses its flags and calls one function.
@main
struct Porthole: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "porthole",
        abstract: "A userspace virtual display device with a VNC/RFB server on top.",
        version: version,
        subcommands: [ServeCommand.self, SnapshotCommand.self, ProduceCommand.self, RecordCommand.self],
        defaultSubcommand: ServeCommand.self)

    /// `porthole --version`: the release, and the protocols it speaks, which is what a producer's or
    /// a viewer's author asks first (RFB 3.8 is the highest version offered, RFC 6143 §7.1.1; the
    /// display protocol's version is docs/protocol.md §4.1).
    static let version = "porthole 0.1.0 (RFB 3.8; display protocol \(DisplayProtocolVersion.current))"
}
