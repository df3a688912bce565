import Geometry
import Pixels

/// Draws an output's scanout, the picture a KMS writeback connector would give, from its planes:
/// stacked primary, overlays by z-position, cursor; each converted from its fourcc to XRGB8888,
/// scaled by nearest neighbour when its source and destination sizes differ, and blended "over"
/// with straight alpha (AR24, AB24) times the plane alpha. Where no plane is opaque the picture
/// shows black.
///
/// The composer keeps the last scanout and the placement of every layer it drew, so that each
/// frame only the damaged part is drawn again: the destinations of layers that appeared,
/// disappeared, moved, restacked or changed framebuffer, and the damage clips of the others mapped
/// through their scaling. The damage it returns is exactly what it redrew, but for the
/// destinations of the producers' moves that it passes on as moves of the picture.
///
/// The cursor plane is left out of the picture unless `includesCursorPlane` is set: RFB viewers
/// take it as a cursor (`exportedCursor(in:)`) and the server draws it for those that cannot.
///
/// Each frame that redraws something is drawn into the oldest of three pictures (`PictureRing`),
/// so a picture handed out in the last two ticks is never written and never copied whole: a tick
/// costs the damaged area, three times at most, and allocates nothing. A damaged area that an opaque plane covers is drawn from that plane
/// alone, and opaque 1:1 rows are converted a row at a time.
///
/// Zero-copy scanout: when the picture is one XRGB8888 plane shown whole, 1:1 and opaque, in
/// memory that can be lent (`FramebufferMemory.lendableBytes`), and a frame redraws at least
/// `minimumLentArea` pixels, the scanout is that framebuffer itself (`PixelBuffer` borrowing it)
/// and nothing is copied. The producer may not write into a committed framebuffer before its
/// Release (docs/protocol.md §11), and the caller's `lend` hook holds that Release back until the
/// last copy of the lent picture is gone. The composer's own picture falls behind meanwhile, by
/// `pictureStale`, which the next frame it draws itself redraws too. Small frames (typing) are
/// still copied: a copy of a few thousand pixels costs less than holding the Release back. So
/// are a first frame and a change of size, so that a picture of its own is there to be updated.
public struct Composer: Sendable {
    /// What the output shows: the composer's own picture, or a framebuffer lent as it is.
    public var scanout: PixelBuffer { lent ?? picture }
    public let includesCursorPlane: Bool
    /// The least a frame must redraw for its framebuffer to be lent rather than copied: about what
    /// copying costs as much as one hand-off between threads (docs/benchmarks.md, "Zero-copy
    /// scanout").
    public static let minimumLentArea = 65_536
    /// Asks the caller to lend `framebuffer`: returns what to run once the last copy of the lent
    /// picture is gone, or `nil` to have it copied.
    public typealias Lend = (Framebuffer) -> (@Sendable () -> Void)?
    private var picture: PixelBuffer
    private var lent: PixelBuffer?
    private var lentFramebuffer: FramebufferID?
    /// Where `picture` is behind what the output shows, while framebuffers are lent.
    private var pictureStale = Region()
    /// Placements drawn last time; `nil` before the first frame.
    private var drawnPlacements: [PlaneID: ComposerLayer.Placement]?
    private var flip = PictureRing()
    /// Ticks that found the oldest picture still held elsewhere (a viewer more than two frames
    /// behind), so that drawing into it copied it whole into a new allocation.
    public var wholeCopies: Int { flip.wholeCopies }

    public static let background: UInt32 = 0x0000_0000

    public init(includesCursorPlane: Bool = false) {
        self.includesCursorPlane = includesCursorPlane
        picture = PixelBuffer(width: 0, height: 0)
        drawnPlacements = nil
    }

    /// Brings the scanout up to date for a frame of `size` made of `layers`, given what changed in
    /// the layers' framebuffers since the last call (`FrameTick.planeDamage`). The first frame, and
    /// any change of size, redraws everything. Returns the part of the scanout that was redrawn.
    /// `size` is the output's mode, which the device keeps within its limits.
    ///
    /// `planeMoves` are the producers' moves (`FrameTick.planeMoves`, framebuffer pixels). Those
    /// that are moves of the picture (`PlaneMoveTranslation`) are returned as the frame's moves,
    /// and their destinations leave the returned region unless damaged otherwise; the rest become
    /// damage. Every destination is redrawn from the framebuffer all the same, so the scanout never
    /// depends on a move being true.
    ///
    /// With `lend`, a frame that may show a framebuffer as it is does so (see "Zero-copy scanout"
    /// above); the damage returned is the same either way.
    public mutating func compose(size requested: Size, layers: [ComposerLayer], planeDamage: [PlaneID: PlaneDamage],
                                 planeMoves: [PlaneID: [CopyMove]] = [:], lend: Lend? = nil) -> FrameDamage {
        let size = Size(width: max(0, requested.width), height: max(0, requested.height))
        let drawn = drawableLayers(layers)
        let placements = Dictionary(drawn.map { ($0.plane, $0.placement) }, uniquingKeysWith: { first, _ in first })
        let bounds = Rect(size: size)
        var result = FrameDamage()
        var redrawn: Region
        let redrawsAll: Bool
        if let previous = drawnPlacements, scanout.size == size {
            let translation = PlaneMoveTranslation(planeMoves: planeMoves, layers: drawn, previous: previous, bounds: bounds)
            result.moves = translation.moves
            result.region = damage(previous: previous, layers: drawn, placements: placements, planeDamage: planeDamage,
                                   movedPlanes: Set(planeMoves.keys), bounds: bounds)
            result.region.formUnion(Region(rects: translation.damage))
            redrawn = result.changedArea
            redrawsAll = false
        } else {
            redrawn = Region(bounds)
            result.region = redrawn
            redrawsAll = true
        }
        drawnPlacements = placements
        // A first frame, or one at a new size, is drawn: the picture it makes is the base that
        // later frames (typing) update by copying only what they change.
        if !redrawsAll, let lend, let lentPicture = lentPicture(for: drawn, size: size, redrawn: redrawn, lend: lend) {
            lent = lentPicture.picture
            lentFramebuffer = lentPicture.framebuffer
            pictureStale.formUnion(redrawn)
            if pictureStale.rects.count > PictureRing.maximumStaleRects { pictureStale = Region(pictureStale.bounds) }
            return result
        }
        lent = nil
        lentFramebuffer = nil
        if redrawsAll || picture.size != size {
            picture = PixelBuffer(width: size.width, height: size.height, fill: Self.background)
            flip.reset()
            redrawn = Region(bounds)
        } else {
            redrawn.formUnion(pictureStale)
            if !redrawn.isEmpty { flip.flip(&picture, redrawn: redrawn) }
        }
        pictureStale = Region()
        for rect in redrawn.rects { draw(rect, layers: drawn) }
        if !redrawn.isEmpty { flip.finish(front: picture, drawn: redrawn) }
        return result
    }

    /// The framebuffer to show as it is this frame, if it may be: the only layer drawn, XRGB8888
    /// (no conversion, no alpha), full plane alpha, covering the output 1:1 from whole pixels of
    /// a 4-byte aligned layout in memory that can be lent, and a frame large enough to be worth it
    /// (`minimumLentArea`) or one that changes nothing in what is already lent. A framebuffer lent
    /// last frame that comes back with damage was written while it was on screen, which §11
    /// forbids; it is copied, so the composer's picture shows its new pixels at least.
    private func lentPicture(for drawn: [ComposerLayer], size: Size, redrawn: Region, lend: Lend)
        -> (picture: PixelBuffer, framebuffer: FramebufferID)? {
        guard drawn.count == 1, let layer = drawn.first, layer.framebuffer.format == .xrgb8888, layer.state.alpha == 0xffff,
              layer.state.destination == Rect(size: size), size.width > 0, size.height > 0 else { return nil }
        let id = layer.framebuffer.id
        if id == lentFramebuffer, let lent {
            return redrawn.isEmpty ? (lent, id) : nil
        }
        guard redrawn.area >= Self.minimumLentArea else { return nil }
        let (xs, ys) = Self.samplings(layer)
        let descriptor = layer.framebuffer.descriptor
        guard xs.isOneToOne, ys.isOneToOne, descriptor.stride % 4 == 0, descriptor.offset % 4 == 0,
              let memory = layer.framebuffer.memory.lendableBytes, let base = memory.bytes.baseAddress,
              Int(bitPattern: base) % 4 == 0 else { return nil }
        let start = descriptor.offset + ys.sourcePixel(at: 0) * descriptor.stride + xs.sourcePixel(at: 0) * 4
        // The layout was validated against the memory; this only keeps a lie from being read.
        guard start >= 0, start + (size.height - 1) * descriptor.stride + size.width * 4 <= memory.bytes.count,
              let onLastUse = lend(layer.framebuffer) else { return nil }
        let borrowed = BorrowedPixels(base: (base + start).assumingMemoryBound(to: UInt32.self), stride: descriptor.stride / 4,
                                      owner: memory.owner, onLastUse: onLastUse)
        return (PixelBuffer(width: size.width, height: size.height, borrowing: borrowed), id)
    }

    /// Whether the ring of pictures is complete (or there is no picture yet). Until it is, each
    /// flip copies the picture viewers hold whole; `prepareSpares` completes it.
    public var sparesReady: Bool { picture.pixels.isEmpty || flip.isFull }

    /// Completes the ring of pictures with copies of the current picture: work for an idle moment
    /// after a first frame or a size change (`PictureRing.fill`).
    public mutating func prepareSpares() {
        guard !picture.pixels.isEmpty else { return }
        flip.fill(from: picture)
    }

    /// Redraws the whole scanout, as after a size change.
    public mutating func composeAll(size: Size, layers: [ComposerLayer]) -> FrameDamage {
        drawnPlacements = nil
        return compose(size: size, layers: layers, planeDamage: [:])
    }

    /// The layers drawn into the picture, bottom to top. Layers whose memory is smaller than their
    /// validated layout (a memory implementation that lied) are skipped rather than read.
    private func drawableLayers(_ layers: [ComposerLayer]) -> [ComposerLayer] {
        layers.filter { layer in
            (includesCursorPlane || layer.type != .cursor)
                && layer.framebuffer.memory.byteCount >= layer.framebuffer.descriptor.requiredByteCount
                && !layer.state.source.isEmpty && !layer.state.destination.isEmpty
                && layer.state.source.isInside(width: layer.framebuffer.width, height: layer.framebuffer.height)
        }.sorted(by: ComposerLayer.stackedBefore)
    }

    private func damage(previous: [PlaneID: ComposerLayer.Placement], layers: [ComposerLayer],
                        placements: [PlaneID: ComposerLayer.Placement], planeDamage: [PlaneID: PlaneDamage],
                        movedPlanes: Set<PlaneID>, bounds: Rect) -> Region {
        // A framebuffer swap that comes with damage or moves is frame damage (docs/protocol.md
        // §5.8): only they changed since the last frame, whichever buffer shows it. Without either
        // for the plane, a swap redraws the plane like any other change of placement.
        func swapWithDamage(_ plane: PlaneID, _ old: ComposerLayer.Placement) -> Bool {
            guard let new = placements[plane], new.isSwap(of: old) else { return false }
            return planeDamage[plane] != nil || movedPlanes.contains(plane)
        }
        var rects: [Rect] = []
        for (plane, old) in previous where placements[plane] != old && !swapWithDamage(plane, old) {
            rects.append(old.destination.intersection(bounds))
        }
        for layer in layers {
            let old = previous[layer.plane]
            if old == layer.placement || old.map({ swapWithDamage(layer.plane, $0) }) == true {
                if let damage = planeDamage[layer.plane] { rects += Self.outputRects(of: damage, on: layer, bounds: bounds) }
            } else {
                rects.append(layer.state.destination.intersection(bounds))
            }
        }
        return Region(rects: rects)
    }

    /// A plane's damage clips (framebuffer pixels) mapped through its source and destination
    /// rects into output pixels, exactly: the output pixels that show a damaged source pixel.
    static func outputRects(of damage: PlaneDamage, on layer: ComposerLayer, bounds: Rect) -> [Rect] {
        let destination = layer.state.destination
        guard case .rects(let clips) = damage else { return [destination.intersection(bounds)] }
        let (xs, ys) = samplings(layer)
        return clips.compactMap { clip -> Rect? in
            let columns = xs.destinationPixels(showing: clip.minX..<clip.maxX)
            let rows = ys.destinationPixels(showing: clip.minY..<clip.maxY)
            let rect = Rect(minX: columns.lowerBound, minY: rows.lowerBound, maxX: columns.upperBound, maxY: rows.upperBound).intersection(bounds)
            return rect.isEmpty ? nil : rect
        }
    }

    static func samplings(_ layer: ComposerLayer) -> (NearestSampling, NearestSampling) {
        let s = layer.state.source, d = layer.state.destination
        return (NearestSampling(source: (s.x, s.width), destination: (d.x, d.width)),
                NearestSampling(source: (s.y, s.height), destination: (d.y, d.height)))
    }

    /// Redraws `rect` (inside the scanout) from the layers, bottom to top. Layers under the
    /// topmost opaque layer that covers all of `rect` cannot show there and are not drawn.
    private mutating func draw(_ rect: Rect, layers: [ComposerLayer]) {
        let covering = layers.lastIndex { $0.isOpaque && $0.state.destination.contains(rect) }
        if covering == nil { picture.fill(rect, with: Self.background) }
        let width = picture.width
        picture.pixels.withUnsafeMutableBufferPointer { output in
            for layer in layers[(covering ?? 0)...] {
                let area = rect.intersection(layer.state.destination)
                if area.isEmpty { continue }
                Self.draw(layer, area: area, into: output, outputWidth: width)
            }
        }
    }

    private static func draw(_ layer: ComposerLayer, area: Rect, into output: UnsafeMutableBufferPointer<UInt32>, outputWidth: Int) {
        let framebuffer = layer.framebuffer, format = framebuffer.format
        let bpp = format.bytesPerPixel, stride = framebuffer.descriptor.stride, offset = framebuffer.descriptor.offset
        let (xs, ys) = samplings(layer)
        let planeAlpha = layer.state.alpha
        let opaque = layer.isOpaque
        if opaque && xs.isOneToOne {
            // Source columns are consecutive: convert whole rows.
            let firstColumn = xs.sourcePixel(at: area.minX) * bpp
            framebuffer.memory.withUnsafeBytes { bytes in
                for y in area.minY..<area.maxY {
                    let source = bytes.baseAddress! + offset + ys.sourcePixel(at: y) * stride + firstColumn
                    PixelConversion.convertOpaqueRow(format, from: source, to: output.baseAddress! + y * outputWidth + area.minX,
                                                     count: area.width)
                }
            }
            return
        }
        let columnOffsets = (area.minX..<area.maxX).map { xs.sourcePixel(at: $0) * bpp }
        framebuffer.memory.withUnsafeBytes { bytes in
            for y in area.minY..<area.maxY {
                let rowStart = offset + ys.sourcePixel(at: y) * stride
                var target = y * outputWidth + area.minX
                for columnOffset in columnOffsets {
                    let argb = PixelConversion.argb(format, bytes, at: rowStart + columnOffset)
                    if opaque {
                        output[target] = argb & 0x00ff_ffff
                    } else {
                        let alpha = PixelConversion.combinedAlpha(argb, planeAlpha: planeAlpha)
                        if alpha == 0xffff {
                            output[target] = argb & 0x00ff_ffff
                        } else if alpha != 0 {
                            output[target] = PixelConversion.blend(argb, over: output[target], alpha: alpha)
                        }
                    }
                    target += 1
                }
            }
        }
    }
}
