import Geometry
import Pixels

/// Change detection without DAMAGE: the whole screen is read every frame and compared with the
/// previous frame in square tiles; the tiles that differ are copied over and reported.
///
/// This is what x11vnc does by default, and the fallback when the server lacks DAMAGE or its
/// reports are not trusted (some drivers miss damage from direct rendering). A tile is the unit of
/// damage, so the reported region may cover unchanged pixels inside a changed tile. The comparison
/// itself is the server's `TileComparer` (memcmp speed); this type adds the copy into the frame
/// the mirror keeps.
public enum TileComparison {
    /// Copies the tiles of `fresh` that differ from `frame` into `frame` and returns them. Both
    /// must have the same size.
    public static func update(_ frame: inout PixelBuffer, from fresh: PixelBuffer, tileSize: Int = 64) -> Region {
        precondition(frame.size == fresh.size && tileSize > 0)
        let comparer = TileComparer(tileSize: tileSize)
        let changed = frame.withView { old in fresh.withView { new in comparer.changedRegion(from: old, to: new) } }
        guard !changed.isEmpty else { return changed }
        let width = frame.width
        fresh.pixels.withUnsafeBufferPointer { src in
            frame.pixels.withUnsafeMutableBufferPointer { dst in
                guard let s = src.baseAddress, let d = dst.baseAddress else { return }
                for rect in changed.rects {
                    for y in rect.minY..<rect.maxY {
                        (d + y * width + rect.minX).update(from: s + y * width + rect.minX, count: rect.width)
                    }
                }
            }
        }
        return changed
    }
}
