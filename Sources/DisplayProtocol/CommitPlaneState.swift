/// One plane's new state in a Commit, 48 bytes plus 16 per damage rect and 24 per move
/// (docs/protocol.md §5.8 "Commit", plane state).
///
/// Layout: +0 u32 plane id, +4 u32 framebuffer id (0: plane off), +8 source rect (four u32, 16.16
/// fixed point), +24 destination rect (i32 x, i32 y, u32 width, u32 height), +40 u16 zpos,
/// +42 u16 alpha, +44 u16 damage count d, +46 u16 move count m (version 1.2; reserved and 0
/// before), +48 d damage rects, +48 + 16d m moves.
///
/// The codec reads a move count whatever the connection's version: which minor a connection
/// speaks is the server's business (it refuses moves below 1.2, §10), not the byte layout's.
public struct CommitPlaneState: Hashable, Sendable {
    public var planeID: UInt32
    /// The framebuffer to show, or 0 to turn the plane off.
    public var framebufferID: UInt32
    /// The part of the framebuffer to show, in 16.16 fixed point.
    public var source: WireFixedRect
    /// Where on the output it goes, in output pixels; scaled when sizes differ.
    public var destination: WireRect
    /// Stacking order among the output's planes; higher is nearer the viewer.
    public var zpos: UInt16
    /// Plane opacity, 0 (transparent) to 0xffff (opaque).
    public var alpha: UInt16
    /// Changed areas in framebuffer pixels since this plane's previous framebuffer content; empty
    /// means the whole plane changed.
    public var damage: [WireRect]
    /// Pixels of the plane's previous picture that moved (version 1.2), applied before the
    /// damage; at most `DisplayProtocolLimits.maximumMovesPerPlane`. Meaningless without damage
    /// rects, since then the whole plane changed anyway.
    public var moves: [WireMove]

    public init(planeID: UInt32, framebufferID: UInt32, source: WireFixedRect, destination: WireRect,
                zpos: UInt16 = 0, alpha: UInt16 = 0xffff, damage: [WireRect] = [], moves: [WireMove] = []) {
        self.planeID = planeID
        self.framebufferID = framebufferID
        self.source = source
        self.destination = destination
        self.zpos = zpos
        self.alpha = alpha
        self.damage = damage
        self.moves = moves
    }

    static let fixedWireSize = 48

    init(from reader: inout WireReader) throws(DisplayProtocolDecodingError.Kind) {
        planeID = try reader.readU32()
        framebufferID = try reader.readU32()
        source = try WireFixedRect(from: &reader)
        destination = try WireRect(from: &reader)
        zpos = try reader.readU16()
        alpha = try reader.readU16()
        // Both counts are checked before either list is allocated (§8 "Checking order").
        let damageCount = try reader.readDamageCount(field: "Commit damage rect count")
        let moveCount = Int(try reader.readU16())
        try reader.checkCount(moveCount, field: "Commit move count", limit: reader.limits.maximumMovesPerPlane)
        damage = try reader.readRects(count: damageCount)
        var moves: [WireMove] = []
        moves.reserveCapacity(moveCount)
        for _ in 0..<moveCount { moves.append(try WireMove(from: &reader)) }
        self.moves = moves
    }

    func write(to writer: inout WireWriter) throws(DisplayProtocolEncodingError) {
        try writer.checkCount(damage.count, field: "damage rect count", limit: writer.limits.maximumDamageRects)
        try writer.checkCount(moves.count, field: "move count", limit: writer.limits.maximumMovesPerPlane)
        writer.write(planeID)
        writer.write(framebufferID)
        source.write(to: &writer)
        destination.write(to: &writer)
        writer.write(zpos)
        writer.write(alpha)
        writer.write(UInt16(damage.count))
        writer.write(UInt16(moves.count))
        for rect in damage { rect.write(to: &writer) }
        for move in moves { move.write(to: &writer) }
    }
}
