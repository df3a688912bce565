/// Bounds on what one client may make the device hold, checked before anything is stored, so a
/// hostile producer costs bounded memory and time.
public struct DeviceLimits: Sendable {
    /// Largest output mode and framebuffer, in each dimension.
    public var maximumSize = 16384
    public var maximumOutputsPerClient = 16
    /// Planes per output, counting the primary and cursor planes.
    public var maximumPlanesPerOutput = 8
    public var maximumFramebuffersPerClient = 64
    /// Pixels the server may hold for one client: the modes of its outputs (each composed into
    /// pictures of the server's own) plus the copy-path framebuffers its planes show (each copied
    /// whole). Without it a producer holding nothing itself (a sparse memfd costs it no memory)
    /// could have the server allocate about 4 GiB per 16384x16384 output (1.08 GB was measured
    /// for 8192x8192, `bench/greedy-producer.py`), 16 outputs each, and
    /// the server's end would take every other client with it. 2^26 pixels fit eight 3840x2160
    /// outputs or two 7680x4320 ones; docs/protocol.md §8.
    public var maximumPixelsPerClient = 1 << 26
    /// Pixels the server may hold for all clients together (outputs in their grace period
    /// included), counted as for one: a budget per client alone would still let a process open
    /// many connections. 2^28 pixels are about 4 GiB of the server's memory at most.
    public var maximumPixels = 1 << 28
    /// Damage rects per plane and frame; more are treated as full damage (never an error).
    public var maximumDamageRectsPerPlane = 256
    /// Moves per plane and commit (docs/protocol.md §5.8, version 1.2); more are an error.
    public var maximumMovesPerPlane = 16
    /// Largest cursor plane destination, in each dimension.
    public var maximumCursorSize = 256
    /// Bound on output positions and plane destinations, so coordinate arithmetic cannot overflow.
    public var coordinateLimit = 1 << 20
    /// How long a disconnected producer's outputs stay up, showing their last frame.
    public var gracePeriodNanoseconds: UInt64 = 10_000_000_000

    public init() {}
}
