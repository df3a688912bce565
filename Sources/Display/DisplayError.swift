import Geometry

/// Why the device refused a request. Each case names the objects involved so the message the
/// producer gets says exactly what to fix. Objects of other clients are reported as "no such
/// object": a lessee cannot even learn that they exist (DRM leases hide them the same way).
public enum DisplayError: Error, Equatable, Sendable, CustomStringConvertible {
    case noSuchClient(ClientID)
    case notAProducer(ClientID)
    case noSuchOutput(OutputID)
    case noSuchPlane(PlaneID)
    case noSuchFramebuffer(FramebufferID)
    case leaseTokenInUse

    case unknownFormat(FramebufferID, code: UInt32)
    case unsupportedModifier(FramebufferID, modifier: UInt64)
    case emptyFramebuffer(FramebufferID, width: Int, height: Int)
    case framebufferTooLarge(FramebufferID, width: Int, height: Int, maximum: Int)
    case negativeOffset(FramebufferID, offset: Int)
    case strideTooSmall(FramebufferID, stride: Int, width: Int, bytesPerPixel: Int)
    case memoryTooSmall(FramebufferID, needed: Int, available: Int)
    case framebufferInUse(FramebufferID)

    case tooManyOutputs(ClientID, maximum: Int)
    case tooManyPlanes(OutputID, maximum: Int)
    case tooManyFramebuffers(ClientID, maximum: Int)
    /// The client's outputs and copy-path planes would need more pixels than it may have the
    /// server hold (`DeviceLimits.maximumPixelsPerClient`).
    case tooManyPixels(ClientID, needed: Int, maximum: Int)
    /// All clients' outputs and copy-path planes together would need more pixels than the
    /// server holds (`DeviceLimits.maximumPixels`).
    case tooManyPixelsOnDevice(needed: Int, maximum: Int)
    case invalidMode(OutputID?, DisplayMode, maximum: Int)
    case noModes
    case positionOutOfRange(OutputID?, Point)
    case planeInUse(PlaneID)
    case notAnOverlay(PlaneID)

    case duplicatePlane(PlaneID)
    case duplicateOutput(OutputID)
    case emptySource(PlaneID)
    case sourceOutsideFramebuffer(PlaneID, SourceRect, FramebufferID, width: Int, height: Int)
    case emptyDestination(PlaneID, Rect)
    case destinationOutOfRange(PlaneID, Rect, limit: Int)
    case cursorTooLarge(PlaneID, Size, maximum: Int)
    case zPositionOutOfRange(PlaneID, Int)
    case hotspotOutOfRange(PlaneID, Point)
    case damageOutsideFramebuffer(PlaneID, Rect, FramebufferID)
    /// A move whose destination or source rect is empty or leaves the framebuffer.
    case moveOutsideFramebuffer(PlaneID, CopyMove, FramebufferID)
    case tooManyMoves(PlaneID, count: Int, maximum: Int)
    case disabledOutputShowsFramebuffer(OutputID, PlaneID, FramebufferID)
    case enabledOutputWithoutPrimary(OutputID)

    public var description: String {
        switch self {
        case .noSuchClient(let c): return "no such client \(c.rawValue)"
        case .notAProducer(let c): return "\(c) is not a producer"
        case .noSuchOutput(let o): return "no such output \(o.rawValue)"
        case .noSuchPlane(let p): return "no such plane \(p.rawValue)"
        case .noSuchFramebuffer(let f): return "no such framebuffer \(f.rawValue)"
        case .leaseTokenInUse: return "the lease token is held by a client that is still connected"
        case .unknownFormat(let f, let code):
            return "\(f): unknown format \"\(FourCC.name(of: code))\" (0x\(String(code, radix: 16))); supported: " +
                FourCC.allCases.map(\.description).joined(separator: " ")
        case .unsupportedModifier(let f, let m): return "\(f): modifier 0x\(String(m, radix: 16)) is not linear (0)"
        case .emptyFramebuffer(let f, let w, let h): return "\(f): size \(w)x\(h) has no pixels"
        case .framebufferTooLarge(let f, let w, let h, let m): return "\(f): size \(w)x\(h) exceeds \(m)x\(m)"
        case .negativeOffset(let f, let o): return "\(f): offset \(o) is negative"
        case .strideTooSmall(let f, let s, let w, let b): return "\(f): stride \(s) is smaller than width \(w) x \(b) bytes"
        case .memoryTooSmall(let f, let n, let a): return "\(f): layout needs \(n) bytes but the memory holds \(a)"
        case .framebufferInUse(let f): return "\(f) is still on a plane or in a pending commit; wait for its release event"
        case .tooManyOutputs(let c, let m): return "\(c) already has the maximum of \(m) outputs"
        case .tooManyPixels(let c, let n, let m):
            return "\(c)'s outputs and copy-path planes would need \(n) pixels; at most \(m) are held for one client"
        case .tooManyPixelsOnDevice(let n, let m):
            return "the outputs and copy-path planes of all clients would need \(n) pixels; the server holds at most \(m)"
        case .tooManyPlanes(let o, let m): return "\(o) already has the maximum of \(m) planes"
        case .tooManyFramebuffers(let c, let m): return "\(c) already has the maximum of \(m) framebuffers"
        case .invalidMode(let o, let mode, let m):
            return "\(o.map { "\($0): " } ?? "")mode \(mode) needs width and height in 1...\(m) and a refresh rate above 0"
        case .noModes: return "an output needs at least one mode"
        case .positionOutOfRange(let o, let p): return "\(o.map { "\($0): " } ?? "")position \(p) is outside the desktop layout range"
        case .planeInUse(let p): return "\(p) still shows a framebuffer; disable it with a commit first"
        case .notAnOverlay(let p): return "\(p) is a primary or cursor plane; only overlays can be destroyed"
        case .duplicatePlane(let p): return "\(p) appears twice in the commit"
        case .duplicateOutput(let o): return "\(o) appears twice in the commit"
        case .emptySource(let p): return "\(p): source rect is empty"
        case .sourceOutsideFramebuffer(let p, let s, let f, let w, let h): return "\(p): source \(s) is outside \(f) (\(w)x\(h))"
        case .emptyDestination(let p, let r): return "\(p): destination \(r) is empty"
        case .destinationOutOfRange(let p, let r, let l): return "\(p): destination \(r) reaches beyond +-\(l)"
        case .cursorTooLarge(let p, let s, let m): return "\(p): cursor size \(s) exceeds \(m)x\(m)"
        case .zPositionOutOfRange(let p, let z): return "\(p): z-position \(z) is outside 0...255"
        case .hotspotOutOfRange(let p, let h): return "\(p): hotspot \(h) is out of range"
        case .damageOutsideFramebuffer(let p, let r, let f): return "\(p): damage rect \(r) is outside \(f)"
        case .moveOutsideFramebuffer(let p, let m, let f):
            return "\(p): move of \(m.destination) from (\(m.source.x), \(m.source.y)) is empty or leaves \(f)"
        case .tooManyMoves(let p, let count, let maximum): return "\(p): \(count) moves; at most \(maximum) per plane"
        case .disabledOutputShowsFramebuffer(let o, let p, let f): return "\(o) is disabled but \(p) shows \(f)"
        case .enabledOutputWithoutPrimary(let o): return "\(o) is enabled but its primary plane has no framebuffer"
        }
    }
}
