/// Bounds on what one message may declare (docs/protocol.md §8 "Limits").
///
/// The defaults are the version 1 limits every peer must accept. A server may announce smaller
/// ones in Welcome (message size, framebuffers, damage rects); the rest are fixed by the protocol.
/// The decoder checks every length and count against these before it waits for, or allocates,
/// what the length or count announces.
public struct DisplayProtocolLimits: Hashable, Sendable {
    /// Largest whole message, header included. A header declaring more is a protocol error as soon
    /// as its first four bytes are in.
    public var maximumMessageSize: Int
    /// Most fds one message may carry.
    public var maximumFDsPerMessage: Int
    /// Longest client, output or owner name, in UTF-8 bytes.
    public var maximumNameBytes: Int
    /// Longest Error or CommitRejected text, in UTF-8 bytes.
    public var maximumErrorMessageBytes: Int
    /// Most damage rects per plane in a Commit, and per FrameReady.
    public var maximumDamageRects: Int
    /// Most moves per plane state in a Commit (version 1.2), a fixed limit: a scroll or a dragged
    /// window is one move, so a few suffice, and each one costs the server a check of its own.
    public var maximumMovesPerPlane: Int
    /// Most output states in one Commit.
    public var maximumCommitOutputs: Int
    /// Most plane states in one Commit.
    public var maximumCommitPlanes: Int
    /// Most entries in a RequestLayout, LayoutRequest or Outputs message.
    public var maximumListEntries: Int
    /// Most scanout buffers per ScanoutBuffers message.
    public var maximumScanoutBuffers: Int
    /// Largest cursor image side, in pixels.
    public var maximumCursorSide: Int

    public init(maximumMessageSize: Int = 65536, maximumFDsPerMessage: Int = 8, maximumNameBytes: Int = 255,
                maximumErrorMessageBytes: Int = 1024, maximumDamageRects: Int = 256, maximumCommitOutputs: Int = 16,
                maximumCommitPlanes: Int = 64, maximumListEntries: Int = 64, maximumScanoutBuffers: Int = 8,
                maximumCursorSide: Int = 256, maximumMovesPerPlane: Int = 16) {
        self.maximumMessageSize = maximumMessageSize
        self.maximumFDsPerMessage = maximumFDsPerMessage
        self.maximumNameBytes = maximumNameBytes
        self.maximumErrorMessageBytes = maximumErrorMessageBytes
        self.maximumDamageRects = maximumDamageRects
        self.maximumCommitOutputs = maximumCommitOutputs
        self.maximumCommitPlanes = maximumCommitPlanes
        self.maximumListEntries = maximumListEntries
        self.maximumScanoutBuffers = maximumScanoutBuffers
        self.maximumCursorSide = maximumCursorSide
        self.maximumMovesPerPlane = maximumMovesPerPlane
    }

    /// The version 1 limits.
    public static let version1 = DisplayProtocolLimits()
}
