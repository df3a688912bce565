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
/// Each frame that redraws something is drawn into the oldest of three pictures (`ScanoutFlip`),
/// so a picture handed out in the last two ticks is never written and never copied whole: a tick
/// costs the damaged area, three times at most, and allocates nothing. A damaged area that an opaque plane covers is drawn from that plane
/// alone, and opaque 1:1 rows are converted a row at a time.
public struct Composer: Sendable {
    public private(set) var scanout: PixelBuffer
    public let includesCursorPlane: Bool
    /// Placements drawn last time; `nil` before the first frame.
    private var drawnPlacements: [PlaneID: ComposerLayer.Placement]?
    private var flip = ScanoutFlip()
    /// Ticks that found the oldest picture still held elsewhere (a viewer more than two frames
    /// behind), so that drawing into it copied it whole into a new allocation.
    public var wholeCopies: Int { flip.wholeCopies }

    public static let background: UInt32 = 0x0000_0000

    public init(includesCursorPlane: Bool = false) {
        self.includesCursorPlane = includesCursorPlane
        scanout = PixelBuffer(width: 0, height: 0)
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
    public mutating func compose(size requested: Size, layers: [ComposerLayer], planeDamage: [PlaneID: PlaneDamage],
                                 planeMoves: [PlaneID: [CopyMove]] = [:]) -> FrameDamage {
        let size = Size(width: max(0, requested.width), height: max(0, requested.height))
        let drawn = drawableLayers(layers)
        let placements = Dictionary(drawn.map { ($0.plane, $0.placement) }, uniquingKeysWith: { first, _ in first })
        let bounds = Rect(size: size)
        var result = FrameDamage()
        var redrawn: Region
        if let previous = drawnPlacements, scanout.size == size {
            let translation = PlaneMoveTranslation(planeMoves: planeMoves, layers: drawn, previous: previous, bounds: bounds)
            result.moves = translation.moves
            result.region = damage(previous: previous, layers: drawn, placements: placements, planeDamage: planeDamage,
                                   movedPlanes: Set(planeMoves.keys), bounds: bounds)
            result.region.formUnion(Region(rects: translation.damage))
            redrawn = result.changedArea
            if !redrawn.isEmpty { flip.flip(&scanout, redrawn: redrawn) }
        } else {
            scanout = PixelBuffer(width: size.width, height: size.height, fill: Self.background)
            flip.reset()
            redrawn = Region(bounds)
            result.region = redrawn
        }
        drawnPlacements = placements
        for rect in redrawn.rects { draw(rect, layers: drawn) }
        if !redrawn.isEmpty { flip.finish(front: scanout, drawn: redrawn) }
        return result
    }

    /// Whether the ring of pictures is complete (or there is no picture yet). Until it is, each
    /// flip copies the picture viewers hold whole; `prepareSpares` completes it.
    public var sparesReady: Bool { scanout.pixels.isEmpty || flip.isFull }

    /// Completes the ring of pictures with copies of the current scanout: work for an idle moment
    /// after a first frame or a size change (`ScanoutFlip.fill`).
    public mutating func prepareSpares() {
        guard !scanout.pixels.isEmpty else { return }
        flip.fill(from: scanout)
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
        if covering == nil { scanout.fill(rect, with: Self.background) }
        let width = scanout.width
        scanout.pixels.withUnsafeMutableBufferPointer { output in
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
