/// A connected producer or consumer. A producer keeps its id across reconnections that present
/// its lease token, so the objects it owns stay addressed to it.
public struct ClientID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }
    public static func < (a: ClientID, b: ClientID) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "client \(rawValue)" }
}

/// An output (KMS connector + CRTC). Output, plane and framebuffer ids come from one counter, like
/// KMS mode-object ids, so an id in an error message names exactly one object.
public struct OutputID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }
    public static func < (a: OutputID, b: OutputID) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "output \(rawValue)" }
}

/// A plane (KMS plane object).
public struct PlaneID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }
    public static func < (a: PlaneID, b: PlaneID) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "plane \(rawValue)" }
}

/// A framebuffer (KMS FB object, as returned by ADDFB2).
public struct FramebufferID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }
    public static func < (a: FramebufferID, b: FramebufferID) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "framebuffer \(rawValue)" }
}

/// The secret a producer is given at hello and presents when it reconnects to take its outputs
/// back (DRM leases have no such thing; it replaces the lessee fd surviving a crash). 128 random
/// bits chosen by the edge: the model has no randomness.
public struct LeaseToken: Hashable, Sendable {
    public let high: UInt64
    public let low: UInt64
    public init(high: UInt64, low: UInt64) { self.high = high; self.low = low }
}
