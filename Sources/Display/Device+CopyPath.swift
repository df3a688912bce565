import Geometry

/// The copy path of docs/protocol.md §11: copy-path framebuffers are copied into the plane's own
/// memory (`PlaneCopy`) at the frame tick that applies them, and released at once.
extension Device {
    /// True when applying `state` on `plane` will copy its (copy-path) framebuffer: it is new to
    /// the plane, shown differently, or comes with damage (a commit without damage rects damages
    /// the whole plane). A plane that a pending commit merely carries along copies nothing.
    func willCopy(_ plane: PlaneID, state: PlaneState, damage: PlaneDamage?) -> Bool {
        damage != nil || planesByID[plane]?.state != state || planeCopies[plane]?.source != state.framebuffer
    }

    /// Brings the copies of the planes `flip` sets up to date, before its states are applied.
    /// Where the plane keeps its place and size and its last copy has the framebuffer's size and
    /// format, only the damage is copied over the last copy (frame damage, §5.8); otherwise the
    /// framebuffer is copied whole (into the last copy's bytes when the size and format allow). Planes that leave the copy path drop their copy. Returns the
    /// bytes copied and the framebuffers copied, which the tick releases.
    mutating func copyPlanes(of flip: PendingFlip) -> (bytes: Int, framebuffers: Set<FramebufferID>) {
        var copied = 0
        var framebuffers = Set<FramebufferID>()
        for (planeID, state) in flip.planes {
            guard let fbID = state.framebuffer else { planeCopies[planeID] = nil; continue }
            // A destroyed framebuffer still on a plane is a copy-path one: the plane keeps its copy.
            guard let framebuffer = framebuffersByID[fbID] else { continue }
            guard framebuffer.path == .copy else { planeCopies[planeID] = nil; continue }
            // The server's copy takes the moves' destinations from the framebuffer like damage.
            let damage = flip.damage[planeID]?.including(flip.moves[planeID], limit: limits.maximumDamageRectsPerPlane)
            guard willCopy(planeID, state: state, damage: damage) else { continue }
            framebuffers.insert(fbID)
            let old = planesByID[planeID]?.state
            let compatible = planeCopies[planeID]?.isCompatible(with: framebuffer) == true
            if case .rects(let rects) = damage, let old, old.source == state.source, old.destination == state.destination, compatible {
                copied += planeCopies[planeID]!.update(rects, from: framebuffer)
            } else if compatible {
                // Everything is copied, into the bytes the plane already has.
                copied += planeCopies[planeID]!.update([framebuffer.descriptor.bounds], from: framebuffer)
            } else {
                planeCopies[planeID] = nil  // let go of the old bytes before allocating new ones
                let copy = PlaneCopy(of: framebuffer)
                copied += copy.byteCount
                planeCopies[planeID] = copy
            }
        }
        return (copied, framebuffers)
    }
}
