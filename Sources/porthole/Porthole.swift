import ArgumentParser

/// The `porthole` command: each subcommand parses its flags and calls one function.
@main
struct Porthole: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "porthole",
        abstract: "A userspace virtual display device with a VNC/RFB server on top.",
        subcommands: [ServeCommand.self, SnapshotCommand.self, ProduceCommand.self, RecordCommand.self],
        defaultSubcommand: ServeCommand.self)
}
