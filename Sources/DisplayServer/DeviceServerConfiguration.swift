import Display
import DisplayProtocol

/// How a `DeviceServer` runs.
public struct DeviceServerConfiguration: Sendable {
    /// The socket to listen on; `nil` is docs/protocol.md §2's default path.
    public var socketPath: String?
    /// The device's limits. The grace period defaults to docs/protocol.md §12's 60 s.
    public var limits: DeviceLimits
    /// The bytes queued to one client before it is disconnected for not reading (§12: 1 MiB).
    public var maximumQueuedBytesPerClient = 1 << 20
    /// The fastest frame clock an output gets, whatever refresh rate its mode names: a producer
    /// cannot make the server tick faster than this.
    public var maximumRefreshMillihertz = 240_000
    /// How long a client has to send Hello (§4.1).
    public var helloTimeoutSeconds = 30.0

    public init(socketPath: String? = nil) {
        self.socketPath = socketPath
        var limits = DeviceLimits()
        limits.gracePeriodNanoseconds = 60_000_000_000
        limits.maximumDamageRectsPerPlane = DisplayProtocolLimits.version1.maximumDamageRects
        self.limits = limits
    }
}
