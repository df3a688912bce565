import ArgumentParser
import Capture
import DisplayServer
import Foundation
import Geometry
import Logging
import Server
import SystemIO
import VNCAuth
import X11Capture

/// `porthole serve`: one output, the demo desktop by default or a still image, shown over RFB.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve an output to VNC viewers (the demo desktop unless --image is given).")

    @Option(help: "Serve this PNG image with its exact pixels instead of the demo desktop.")
    var image: String?

    @Option(help: "Size of the demo desktop, WxH (default 1920x1080); an image has its own size; with --device, the size of the waiting card.")
    var size: String?

    @Flag(help: ArgumentHelp("Run the display device: producers create outputs on its socket; viewers see the first one (each one with --output-ports).",
                             discussion: "Until a producer has created an output, viewers see a card saying the server waits for one."))
    var device = false

    @Flag(name: .customLong("output-ports"), help: ArgumentHelp("With --device: serve every output, output slot i on the --listen port + i.",
                                                                discussion: "A new output takes the lowest free slot and keeps it while it exists; the first is on the --listen port. A slot whose output is removed shows the waiting card."))
    var outputPorts = false

    @Option(help: "With --device: the socket to listen on (default: $XDG_RUNTIME_DIR/porthole-0 or /tmp/porthole-$UID/porthole-0).")
    var socket: String?

    @Option(name: .customLong("x11"), help: ArgumentHelp("Mirror this X display (:N) instead of the demo desktop.",
                                                         discussion: "Reads the root window through MIT-SHM where DAMAGE reports changes; forwards input through XTEST and the clipboard through CLIPBOARD and PRIMARY."))
    var x11: String?

    @Flag(name: .customLong("x11-poll"), help: "With --x11: compare 64x64 tiles of the whole screen every frame instead of trusting DAMAGE.")
    var x11Poll = false

    @Flag(name: .customLong("x11-retry"), help: "With --x11: when the X server is unreachable or goes away, reconnect every second.")
    var x11Retry = false

    @Option(help: "With --device: seconds a disconnected producer's outputs stay up for it to reconnect (docs/protocol.md §12).")
    var gracePeriod: Double?

    /// The largest pixel budget accepted: 4 TiB of pictures, far past any machine, and small
    /// enough that the budget's sums of width x height cannot overflow.
    static let pixelBudgetCeiling = 1 << 40

    @Option(name: .customLong("max-pixels-per-producer"),
            help: ArgumentHelp("With --device: pixels one producer may have the server hold, its outputs' modes plus the copy-path framebuffers it shows (default 67108864: eight 3840x2160 outputs).",
                               discussion: "An output or commit past it is refused with error 7 (docs/protocol.md §8); raise it for producers of 8K walls."))
    var maxPixelsPerProducer: Int?

    @Option(name: .customLong("max-pixels"),
            help: "With --device: pixels all producers together may have the server hold, counted the same way (default 268435456: 1 GiB at 4 bytes a pixel).")
    var maxPixels: Int?

    @Option(help: "Address to listen on, HOST:PORT (port 0 picks a free one).")
    var listen: String = "127.0.0.1:5900"

    @Option(help: ArgumentHelp("Also serve the noVNC web viewer over HTTP on HOST:PORT (noVNC from /usr/share/novnc).",
                               discussion: "Browsers connect to the --listen port over WebSocket; it takes plain RFB too."))
    var web: String?

    @Option(help: "File whose first line is the VNC password; without it no authentication is asked.")
    var passwordFile: String?

    @Flag(help: "Ignore keyboard and pointer input from viewers.")
    var viewOnly = false

    @Option(help: "Refuse viewers beyond this many at once.")
    var maxViewers: Int = 64

    @Option(name: .customLong("max-fps"), help: ArgumentHelp("Send each viewer at most this many updates per second (1...1000).",
                                                              discussion: "Changes in between are merged into the next update."))
    var maxFPS: Double = 60

    @Flag(name: .customLong("no-fence-pacing"),
          help: ArgumentHelp("Pace viewers by socket writes only, never by fence pings (for benchmarks).", visibility: .hidden))
    var noFencePacing = false

    @Flag(name: .customLong("viewers-in-nio"),
          help: ArgumentHelp("Serve the plain TCP viewers of a device output or of the X11 mirror on NIO's event loops, not on the thread that makes their frames (for benchmarks).",
                             visibility: .hidden))
    var viewersInNIO = false

    @Option(help: "Desktop name shown by viewers (default: \"demo\" for the demo desktop, the shown output's name with --device, else \"Porthole\").")
    var name: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    func run() async throws {
        // Frames are large and change hands between threads: keep them out of malloc's arenas.
        try LargeAllocationPolicy.apply()
        var configuration = ServerConfiguration()
        let address = try HostAndPort(parsing: listen)
        configuration.host = address.host
        configuration.port = address.port
        configuration.viewOnly = viewOnly
        if let web { configuration.web = try HostAndPort(parsing: web) }
        // Zero would refuse every viewer; the limit bounds memory, it does not switch serving off.
        guard maxViewers >= 1 else { throw ValidationError("--max-viewers must be at least 1, not \(maxViewers)") }
        configuration.maxViewers = maxViewers
        guard (1...1000).contains(maxFPS) else { throw ValidationError("--max-fps must be 1...1000, not \(maxFPS)") }
        configuration.maxUpdatesPerSecond = maxFPS
        configuration.fencePacing = !noFencePacing
        // The demo desktop is the output named "demo"; other sources keep the server's name.
        configuration.desktopName = name ?? (image == nil && x11 == nil && !device ? "demo" : configuration.desktopName)
        // A device output's own name becomes the desktop name, unless one was given.
        configuration.desktopNameFromSource = name == nil
        guard let level = Logger.Level(rawValue: logLevel.lowercased()) else {
            throw ValidationError("unknown log level '\(logLevel)'")
        }
        configuration.logLevel = level
        if let passwordFile {
            guard let contents = FileManager.default.contents(atPath: passwordFile) else {
                let why = FileManager.default.fileExists(atPath: passwordFile) ? "not a readable file" : "no such file"
                throw ValidationError("cannot read the password file \(passwordFile): \(why)")
            }
            let bytes = Array(contents)
            let password = VNCAuthentication.password(fromFileContents: bytes)
            guard !password.isEmpty else { throw ValidationError("the password file \(passwordFile) has an empty first line") }
            // A password others can read is no secret, and one they can write is theirs to set.
            var st = stat()
            if stat(passwordFile, &st) == 0, st.st_mode & 0o066 != 0 {
                try? FileHandle.standardError.write(contentsOf: Data("porthole: warning: other users can read or change the password file \(passwordFile) (mode \(String(st.st_mode & 0o777, radix: 8))); chmod 600 it\n".utf8))
            }
            configuration.password = password
        }
        if socket != nil && !device { throw ValidationError("--socket applies to --device") }
        if outputPorts && !device { throw ValidationError("--output-ports applies to --device") }
        if gracePeriod != nil && !device { throw ValidationError("--grace-period applies to --device") }
        if let gracePeriod, !(0...86_400).contains(gracePeriod) { throw ValidationError("--grace-period must be 0...86400 seconds") }
        for (flag, value) in [("--max-pixels-per-producer", maxPixelsPerProducer), ("--max-pixels", maxPixels)] {
            guard let value else { continue }
            if !device { throw ValidationError("\(flag) applies to --device") }
            if !(1...Self.pixelBudgetCeiling).contains(value) { throw ValidationError("\(flag) must be 1...\(Self.pixelBudgetCeiling), not \(value)") }
        }
        if device {
            if image != nil || x11 != nil { throw ValidationError("--device excludes --image and --x11: producers provide the picture") }
            var handler = StreamLogHandler.standardError(label: "porthole.display-device")
            handler.logLevel = level
            var deviceConfiguration = DeviceServerConfiguration(socketPath: socket)
            if let gracePeriod { deviceConfiguration.limits.gracePeriodNanoseconds = UInt64(gracePeriod * 1e9) }
            if let maxPixelsPerProducer { deviceConfiguration.limits.maximumPixelsPerClient = maxPixelsPerProducer }
            if let maxPixels { deviceConfiguration.limits.maximumPixels = maxPixels }
            let deviceServer = try DeviceServer(configuration: deviceConfiguration,
                                                logger: Logger(label: "porthole.display-device", factory: { _ in handler }))
            deviceServer.start()
            defer { deviceServer.stop() }
            // Frames are published on the device's thread; its plain TCP viewers are served there
            // too, so a frame is encoded for them without a hand-off (docs/architecture.md).
            if !viewersInNIO { configuration.viewerThread = deviceServer.eventThread }
            print("porthole: display device socket \(deviceServer.socketPath)")
            // Device outputs signal every composed frame, cursor move and clipboard change
            // (FrameSignalling), so LiveOutput's poll is only a fallback: once a second instead of
            // 60 wake-ups a second that find nothing (docs/benchmarks.md, "Where the CPU goes").
            configuration.sourceFrameRate = 1
            let cardSize = try parseSize(size ?? "1024x768")
            if outputPorts {
                try await OutputPortsServing(device: deviceServer, configuration: configuration, waitingCardSize: cardSize).serve()
                return
            }
            let source = PrimaryOutputSource(server: deviceServer, waitingCardSize: cardSize)
            try await PortholeServer.serve(configuration: configuration, source: source)
            return
        }
        let source: FrameSource
        if (x11Poll || x11Retry) && x11 == nil { throw ValidationError("--x11-poll and --x11-retry apply to --x11") }
        if let x11 {
            if image != nil || size != nil { throw ValidationError("--x11 mirrors a display at its own size; it takes no --image or --size") }
            guard x11.hasPrefix(":") || x11.contains(":") else { throw ValidationError("--x11 takes a display like :1, not '\(x11)'") }
            // The logger is made per message: logging is bootstrapped only when the server starts.
            // DAMAGE is read as it arrives, at most --max-fps times a second (no viewer gets more);
            // an idle display is looked at (the pointer, the monitors) at the frame clock's rate.
            // The mirror advances signalled frames on its watcher's thread; its plain TCP viewers
            // are served there too, so a frame is encoded for them without a hand-off
            // (docs/architecture.md, "Viewers on the device's thread" and "Source capabilities").
            // It lives as long as the process serves, as the device's thread does.
            let watcherThread = try EventThread(name: "porthole.x11")
            if !viewersInNIO { configuration.viewerThread = watcherThread }
            source = try X11MirrorSource(display: x11, polling: x11Poll, retry: x11Retry, maximumFrameRate: maxFPS,
                                         pollRate: configuration.sourceFrameRate, watcherThread: watcherThread) {
                Logger(label: "porthole.x11").info("\($0)")
            }
        } else if let image {
            if size != nil { throw ValidationError("--size applies to the demo desktop; an --image is served at its own size") }
            source = StillImageSource(try PNGImage.load(contentsOf: image))
        } else {
            source = DemoDesktop(size: try parseSize(size ?? "1920x1080"), clockOffset: DemoDesktop.localTimeOfDay())
        }
        try await PortholeServer.serve(configuration: configuration, source: source)
    }

    private func parseSize(_ text: String) throws -> Size {
        let parts = text.lowercased().split(separator: "x")
        guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]),
              (1...16384).contains(w), (1...16384).contains(h) else {
            throw ValidationError("--size must be WxH with each side 1...16384, not '\(text)'")
        }
        return Size(width: w, height: h)
    }
}
