import Geometry
import Logging
import NIOCore
import RFB
import SystemIO

/// Everything `porthole serve` was told on its command line, in one value.
public struct ServerConfiguration: Sendable {
    public var host: String = "127.0.0.1"
    public var port: Int = 5900
    /// The VNC password (only its first eight bytes matter); nil means security type None.
    public var password: [UInt8]? = nil
    public var viewOnly = false
    public var maxViewers = 64
    public var desktopName = "Porthole"
    /// Whether a source's own name (`NameProviding`) replaces `desktopName`; `--name` turns it off.
    public var desktopNameFromSource = true
    /// Frames per second at which built-in sources are polled (advanced), down to once an hour.
    /// A source that signals new frames (`FrameSignalling`) is advanced at once besides.
    public var sourceFrameRate = 30.0
    /// The most FramebufferUpdates per second one viewer is sent (`--max-fps`); changes in between
    /// are merged into the next update. It bounds what a fast source costs per viewer.
    public var maxUpdatesPerSecond = 60.0
    /// The least time between two updates to one viewer, from `maxUpdatesPerSecond`.
    var minimumUpdateInterval: TimeAmount { .nanoseconds(Int64(1e9 / max(maxUpdatesPerSecond, 1e-3))) }
    /// A viewer whose unsent output stays above the high-water mark this long is disconnected.
    public var stalledViewerTimeout: Double = 30
    /// Messages sent outside updates (ServerCutText, Bell, fences) do not wait for a request, so
    /// a viewer that does not read could pile them up; past this many unsent bytes it is
    /// disconnected at once. Room for a few clipboard texts at the 1 MiB limit.
    public var maximumUnsentMessageBytes = 8 << 20
    /// Pace updates to viewers that support Fence by fence pings and a congestion window
    /// (`FencePacer`), so a slow link gets fewer, merged frames instead of a growing socket
    /// backlog. Off (the hidden `--no-fence-pacing`) only to measure what it buys.
    public var fencePacing = true
    /// How the pacer measures the link; `answerTimeout` bounds how long a viewer that announced
    /// Fence but never answers a ping can hold updates back.
    public var fencePacer = FencePacer.Configuration()
    /// A connection that has not finished the RFB handshake by then is closed, so silent
    /// connections cannot hold `maxViewers` slots.
    public var handshakeTimeout: Double = 30
    /// How failed VNC authentication attempts from one address are throttled.
    public var authenticationThrottle = AuthenticationThrottle<String>.Policy()
    public var logLevel: Logger.Level = .info
    /// How long a new connection on the RFB port may stay silent before it is taken for a native
    /// RFB viewer. RFB makes the server speak first (RFC 6143 §7.1.1) while a browser speaks first
    /// (its HTTP upgrade request, RFC 6455 §4.1), so the server listens this long before it sends
    /// its ProtocolVersion. Browsers send their request as soon as TCP connects, so this only has to
    /// cover one scheduling delay; it is also what every native viewer waits extra once.
    public var transportSniffTimeout: Double = 0.15
    /// The largest WebSocket frame (and reassembled base64 message) accepted from a browser viewer;
    /// a larger one is refused with close code 1009 (RFC 6455 §7.4.1, §10.4).
    public var webSocketMaxFrameSize = 16 << 20
    /// Where `--web` serves noVNC from; read at each request, so installing noVNC needs no restart.
    public var noVNCRoot = "/usr/share/novnc"
    /// The separate HTTP listener for noVNC's files (`--web`); nil means none.
    public var web: HostAndPort? = nil
    /// The thread that publishes the output's frames, when it is an `EventThread` (the display
    /// device's, or the X11 mirror's watcher's): plain TCP viewers are then served on it (`ThreadedViewerListener`), and each
    /// frame is encoded for them in the run that composed it instead of after a hand-off to an
    /// event loop. Nil serves every viewer in NIO.
    public var viewerThread: EventThread? = nil
    public init() {}
}
