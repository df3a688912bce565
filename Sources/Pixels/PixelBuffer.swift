import Geometry

/// An owned framebuffer in Porthole's canonical format (XRGB8888, `0x00RRGGBB` per `UInt32`),
/// tightly packed (stride == width). Value semantics with copy-on-write: a frame handed to viewers
/// stays unchanged while the source draws the next one.
public struct PixelBuffer: Equatable, Sendable {
    public private(set) var width: Int
    public private(set) var height: Int
    public var pixels: [UInt32]

    public init(width: Int, height: Int, fill: UInt32 = 0) {
        precondition(width >= 0 && height >= 0)
        self.width = width; self.height = height
        pixels = [UInt32](repeating: fill, count: width * height)
    }
    public init(width: Int, height: Int, pixels: [UInt32]) {
        precondition(pixels.count == width * height)
        self.width = width; self.height = height; self.pixels = pixels
    }

    public var size: Size { Size(width: width, height: height) }
    public var bounds: Rect { Rect(size: size) }

    public subscript(x: Int, y: Int) -> UInt32 {
        get { pixels[y * width + x] }
        set { pixels[y * width + x] = newValue }
    }

    /// A copy with storage of its own, made now. A plain copy shares storage until its first write,
    /// which then copies the whole buffer in the middle of whatever frame makes that write; a ring
    /// of spare pictures is filled with these where a whole copy delays no frame.
    public func ownedCopy() -> PixelBuffer {
        PixelBuffer(width: width, height: height, pixels: pixels.withUnsafeBufferPointer { Array($0) })
    }

    /// Fills `rect` (clipped to the buffer) with one colour.
    public mutating func fill(_ rect: Rect, with colour: UInt32) {
        let r = rect.intersection(bounds)
        if r.isEmpty { return }
        let w = width
        pixels.withUnsafeMutableBufferPointer { p in
            for y in r.minY..<r.maxY {
                let row = p.baseAddress! + y * w + r.minX
                row.update(repeating: colour, count: r.width)
            }
        }
    }

    /// Copies `source` (clipped) so that its top-left lands at `destination`, handling overlap
    /// (as CopyRect requires of a viewer).
    public mutating func copy(_ source: Rect, to destination: Point) {
        var src = source.intersection(bounds)
        var dst = Rect(origin: destination, size: src.size)
        // Clip destination, and the source correspondingly.
        let clipped = dst.intersection(bounds)
        if clipped.isEmpty || src.isEmpty { return }
        src = Rect(x: src.x + clipped.x - dst.x, y: src.y + clipped.y - dst.y, width: clipped.width, height: clipped.height)
        dst = clipped
        let w = width
        pixels.withUnsafeMutableBufferPointer { p in
            let base = p.baseAddress!
            let rows: [Int] = dst.minY > src.minY ? Array((0..<dst.height).reversed()) : Array(0..<dst.height)
            for i in rows {
                let s = base + (src.minY + i) * w + src.minX
                let d = base + (dst.minY + i) * w + dst.minX
                UnsafeMutableRawPointer(d).copyMemory(from: s, byteCount: dst.width * 4)
            }
        }
    }

    /// Draws `other` with its top-left at `origin`, clipped.
    public mutating func blit(_ other: PixelBuffer, at origin: Point) {
        let dst = Rect(origin: origin, size: other.size).intersection(bounds)
        if dst.isEmpty { return }
        let w = width
        other.pixels.withUnsafeBufferPointer { s in
            pixels.withUnsafeMutableBufferPointer { d in
                for y in dst.minY..<dst.maxY {
                    let sy = y - origin.y, sx = dst.minX - origin.x
                    (d.baseAddress! + y * w + dst.minX).update(from: s.baseAddress! + sy * other.width + sx, count: dst.width)
                }
            }
        }
    }

    /// A copy of the pixels inside `rect` (which must lie inside the buffer).
    public func cropped(to rect: Rect) -> PixelBuffer {
        precondition(bounds.contains(rect))
        var out = PixelBuffer(width: rect.width, height: rect.height)
        out.blit(self, at: Point(x: -rect.x, y: -rect.y))
        return out
    }

    /// Runs `body` with a borrowed, read-only view of the pixels (what encoders read).
    public func withView<R>(_ body: (PixelView) throws -> R) rethrows -> R {
        try pixels.withUnsafeBufferPointer { p in
            try body(PixelView(base: p.baseAddress ?? UnsafePointer(bitPattern: 0x10)!, width: width, height: height, stride: width))
        }
    }
}

/// A borrowed, read-only view of XRGB8888 pixels: what encoders, comparers and converters read.
/// It may point into a `PixelBuffer` or, later, into a producer's mapped framebuffer, so it must not
/// outlive the closure that handed it out.
public struct PixelView {
    public let base: UnsafePointer<UInt32>
    public let width: Int
    public let height: Int
    /// Distance between rows, in pixels.
    public let stride: Int

    public init(base: UnsafePointer<UInt32>, width: Int, height: Int, stride: Int) {
        self.base = base; self.width = width; self.height = height; self.stride = stride
    }

    public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }
    @inline(__always) public func row(_ y: Int) -> UnsafePointer<UInt32> { base + y * stride }
    @inline(__always) public subscript(x: Int, y: Int) -> UInt32 { base[y * stride + x] }
}
