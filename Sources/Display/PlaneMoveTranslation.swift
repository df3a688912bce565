import Geometry

/// Turns the moves producers report on their planes (docs/protocol.md §5.8, version 1.2; in
/// framebuffer pixels) into moves of the output's picture (output pixels), for the composer.
///
/// A plane move says that pixels of the plane's new framebuffer equal what the plane showed at the
/// move's source before. It is a move of the picture only where the picture at the source and the
/// destination was and is that plane's pixel, unchanged by the way it is shown:
/// - the plane kept its placement, or swapped to another framebuffer in the same place (the
///   double-buffered producer's page flip);
/// - it is opaque and unscaled, so a picture pixel is exactly one framebuffer pixel;
/// - no other plane covers the source or the destination, now or in the previous frame (a plane
///   beneath an opaque one never shows; a plane that was beneath it with the same placement was
///   beneath it before too);
/// - both lie in the part of the plane that is on the output.
/// Several moves are kept only where none reads or writes pixels another one writes, so that
/// applying them one after the other (as `FrameDamage` does) equals applying them at once (as
/// the producer meant). What cannot be passed on becomes damage, so the picture is never wrong.
struct PlaneMoveTranslation {
    /// Moves of the output picture, in the order they are applied.
    var moves: [CopyMove] = []
    /// Output pixels of plane moves that could not be passed on: damage.
    var damage: [Rect] = []

    /// `layers` are the drawn layers bottom to top; `previous` the placements drawn last frame.
    init(planeMoves: [PlaneID: [CopyMove]], layers: [ComposerLayer],
         previous: [PlaneID: ComposerLayer.Placement], bounds: Rect) {
        guard !planeMoves.isEmpty else { return }
        var written: [Rect] = []
        var read: [Rect] = []
        for (index, layer) in layers.enumerated() {
            guard let fbMoves = planeMoves[layer.plane], !fbMoves.isEmpty else { continue }
            guard let old = previous[layer.plane], old == layer.placement || layer.placement.isSwap(of: old) else {
                continue  // a plane shown anew or elsewhere is redrawn whole anyway
            }
            let (xs, ys) = Composer.samplings(layer)
            guard layer.isOpaque, xs.isOneToOne, ys.isOneToOne else {
                damage += Composer.outputRects(of: .rects(fbMoves.map(\.destination)), on: layer, bounds: bounds)
                continue
            }
            let visible = layer.state.destination.intersection(bounds)
            let origin = layer.state.destination.origin
            let offset = Point(x: origin.x - xs.sourcePixel(at: origin.x), y: origin.y - ys.sourcePixel(at: origin.y))
            let covers = Self.covers(of: layer, at: index, layers: layers, previous: previous)
            for move in fbMoves {
                let shown = move.destination.offsetBy(dx: offset.x, dy: offset.y).intersection(visible)
                if shown.isEmpty { continue }
                let destination = shown.intersection(visible.offsetBy(dx: move.dx, dy: move.dy))
                let source = destination.offsetBy(dx: -move.dx, dy: -move.dy)
                let usable = !destination.isEmpty
                    && !covers.contains { $0.intersects(destination) || $0.intersects(source) }
                    && !written.contains { $0.intersects(destination) || $0.intersects(source) }
                    && !read.contains { $0.intersects(destination) }
                guard usable else { damage.append(shown); continue }
                moves.append(CopyMove(destination: destination, source: source.origin))
                written.append(destination)
                read.append(source)
                damage += Region(shown).subtracting(Region(destination)).rects
            }
        }
    }

    /// Where other planes show, or showed last frame, over `layer`: every drawn layer above it,
    /// and every last-frame placement except those of layers now beneath it that did not change.
    private static func covers(of layer: ComposerLayer, at index: Int, layers: [ComposerLayer],
                               previous: [PlaneID: ComposerLayer.Placement]) -> [Rect] {
        var rects = layers[(index + 1)...].map(\.state.destination)
        let unchangedBeneath = Set(layers[..<index].filter { previous[$0.plane] == $0.placement }.map(\.plane))
        for (plane, placement) in previous where plane != layer.plane && !unchangedBeneath.contains(plane) {
            rects.append(placement.destination)
        }
        return rects
    }
}
