import Geometry
import RFB
import Logging

/// Everything `porthole serve` was told on its command line, in one value.
public struct ServerConfiguration: Sendable {
    public var host: String = "127.0.0.1"
    public var port: Int = 5900
    /// The VNC password (only its first eight bytes matter); nil means security type None.
    public var password: [UInt8]? = nil
    public var viewOnly = false
    public var maxViewers = 64
    public var desktopName = "Porthole"
    /// Frames per second at which built-in sources are advanced.
    public var sourceFrameRate = 30.0
    /// A viewer whose unsent output stays above the high-water mark this long is disconnected.
    public var stalledViewerTimeout: Double = 30
    /// A connection that has not finished the RFB handshake by then is closed, so silent
    /// connections cannot hold `maxViewers` slots.
    public var handshakeTimeout: Double = 30
    /// How failed VNC authentication attempts from one address are throttled.
    public var authenticationThrottle = AuthenticationThrottle<String>.Policy()
    public var logLevel: Logger.Level = .info
    public init() {}
}
