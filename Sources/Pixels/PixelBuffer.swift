import Geometry

/// A framebuffer in Porthole's canonical format (XRGB8888, `0x00RRGGBB` per `UInt32`). Value
/// semantics with copy-on-write: a frame handed to viewers stays unchanged while the source draws
/// the next one.
///
/// Its pixels are either its own (an array, tightly packed) or borrowed (`BorrowedPixels`): a
/// producer's mapped framebuffer shown as it is, which the display device lends instead of
/// copying every damaged pixel into a picture of its own (docs/architecture.md, "Zero-copy
/// scanout"). Borrowed rows may be longer than the picture is wide, and the byte above red is
/// whatever the producer left there (XRGB8888's X): readers of `withView` ignore it, as the
/// encoders do. `pixels` and `==` always see the canonical form, and the first write to a borrowed
/// buffer copies it into an array of its own.
public struct PixelBuffer: Equatable, Sendable {
    public private(set) var width: Int
    public private(set) var height: Int
    private var storage: Storage

    private enum Storage: Sendable {
        case owned([UInt32])
        case borrowed(BorrowedPixels)
    }

    public init(width: Int, height: Int, fill: UInt32 = 0) {
        precondition(width >= 0 && height >= 0)
        self.width = width; self.height = height
        storage = .owned([UInt32](repeating: fill, count: width * height))
    }
    public init(width: Int, height: Int, pixels: [UInt32]) {
        precondition(pixels.count == width * height)
        self.width = width; self.height = height; storage = .owned(pixels)
    }
    /// A picture of `width` x `height` whose pixels stay where `borrowed` points.
    public init(width: Int, height: Int, borrowing borrowed: BorrowedPixels) {
        precondition(width >= 0 && height >= 0 && borrowed.stride >= width)
        self.width = width; self.height = height; storage = .borrowed(borrowed)
    }

    /// The pixels, tightly packed and canonical. Borrowed pixels are copied (X byte cleared) to be
    /// read this way, and become the buffer's own when written; hot paths use `withView`. Each
    /// access is an accessor call with a retain and a release, so code that writes many pixels
    /// takes one `pixels.withUnsafeMutableBufferPointer` for all of them, not one access (nor one
    /// `self[x, y]`) per pixel: a ZRLE decoder that did so ran twelve to sixteen times slower
    /// (docs/benchmarks.md, "The viewers' ZRLE decoder").
    public var pixels: [UInt32] {
        get {
            switch storage {
            case .owned(let array): return array
            case .borrowed(let borrowed): return borrowed.canonicalCopy(width: width, height: height)
            }
        }
        _modify {
            var array: [UInt32]
            switch storage {
            case .owned(let own): array = own
            case .borrowed(let borrowed): array = borrowed.canonicalCopy(width: width, height: height)
            }
            // Drop the storage's reference while the caller writes, so the array stays unique.
            storage = .owned([])
            defer { storage = .owned(array) }
            yield &array
        }
    }

    /// True while the pixels are borrowed from memory someone else owns.
    public var isBorrowed: Bool {
        if case .borrowed = storage { return true }
        return false
    }

    public static func == (a: PixelBuffer, b: PixelBuffer) -> Bool {
        guard a.width == b.width && a.height == b.height else { return false }
        if case .owned(let x) = a.storage, case .owned(let y) = b.storage { return x == y }
        return a.withView { va in
            b.withView { vb in
                for y in 0..<a.height {
                    let ra = va.row(y), rb = vb.row(y)
                    for x in 0..<a.width where (ra[x] ^ rb[x]) & 0x00ff_ffff != 0 { return false }
                }
                return true
            }
        }
    }

    public var size: Size { Size(width: width, height: height) }
    public var bounds: Rect { Rect(size: size) }

    public subscript(x: Int, y: Int) -> UInt32 {
        get {
            switch storage {
            case .owned(let array): return array[y * width + x]
            case .borrowed(let borrowed):
                precondition(x >= 0 && x < width && y >= 0 && y < height)
                return borrowed.base[y * borrowed.stride + x] & 0x00ff_ffff
            }
        }
        set { pixels[y * width + x] = newValue }
    }

    /// A copy with storage of its own, made now. A plain copy shares storage until its first write,
    /// which then copies the whole buffer in the middle of whatever frame makes that write; a ring
    /// of spare pictures is filled with these where a whole copy delays no frame.
    public func ownedCopy() -> PixelBuffer {
        switch storage {
        case .owned(let array): return PixelBuffer(width: width, height: height, pixels: array.withUnsafeBufferPointer { Array($0) })
        case .borrowed(let borrowed): return PixelBuffer(width: width, height: height, pixels: borrowed.canonicalCopy(width: width, height: height))
        }
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
        other.withView { s in
            pixels.withUnsafeMutableBufferPointer { d in
                for y in dst.minY..<dst.maxY {
                    let sy = y - origin.y, sx = dst.minX - origin.x
                    PixelTranslator.copyClearingX(s.row(sy) + sx, count: dst.width, into: d.baseAddress! + y * w + dst.minX)
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
    /// Borrowed pixels are read where they are, with their own stride and X byte.
    public func withView<R>(_ body: (PixelView) throws -> R) rethrows -> R {
        switch storage {
        case .owned(let array):
            return try array.withUnsafeBufferPointer { p in
                try body(PixelView(base: p.baseAddress ?? UnsafePointer(bitPattern: 0x10)!, width: width, height: height, stride: width))
            }
        case .borrowed(let borrowed):
            return try withExtendedLifetime(borrowed) {
                try body(PixelView(base: borrowed.base, width: width, height: height, stride: borrowed.stride))
            }
        }
    }
}

/// A borrowed, read-only view of XRGB8888 pixels: what encoders, comparers and converters read.
/// It may point into a `PixelBuffer`'s array or into a producer's mapped framebuffer (whose X byte
/// is not cleared: readers that compare colours mask it), so it must not outlive the closure that
/// handed it out.
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
