import Geometry
import Glibc
import Pixels

/// Change detection without DAMAGE: the whole screen is read every frame and compared with the
/// previous frame in square tiles; the tiles that differ are copied over and reported.
///
/// This is what x11vnc does by default, and the fallback when the server lacks DAMAGE or its
/// reports are not trusted (some drivers miss damage from direct rendering). A tile is the unit of
/// damage, so the reported region may cover unchanged pixels inside a changed tile.
public enum TileComparison {
    /// Copies the tiles of `fresh` that differ from `frame` into `frame` and returns them. Both
    /// must have the same size.
    public static func update(_ frame: inout PixelBuffer, from fresh: PixelBuffer, tileSize: Int = 64) -> Region {
        precondition(frame.size == fresh.size && tileSize > 0)
        let (width, height) = (frame.width, frame.height)
        var changed: [Rect] = []
        fresh.pixels.withUnsafeBufferPointer { src in
            frame.pixels.withUnsafeMutableBufferPointer { dst in
                guard let s = src.baseAddress, let d = dst.baseAddress else { return }
                for ty in stride(from: 0, to: height, by: tileSize) {
                    let rows = min(tileSize, height - ty)
                    for tx in stride(from: 0, to: width, by: tileSize) {
                        let columns = min(tileSize, width - tx)
                        var differs = false
                        for y in ty..<(ty + rows) where memcmp(s + y * width + tx, d + y * width + tx, columns * 4) != 0 {
                            differs = true
                            break
                        }
                        guard differs else { continue }
                        for y in ty..<(ty + rows) {
                            (d + y * width + tx).update(from: s + y * width + tx, count: columns)
                        }
                        changed.append(Rect(x: tx, y: ty, width: columns, height: rows))
                    }
                }
            }
        }
        return Region(rects: changed)
    }
}
