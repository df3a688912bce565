/// A point in framebuffer coordinates (pixels, origin top-left).
public struct Point: Hashable, Sendable, CustomStringConvertible {
    public var x: Int
    public var y: Int
    public init(x: Int, y: Int) { self.x = x; self.y = y }
    public static let zero = Point(x: 0, y: 0)
    public var description: String { "(\(x),\(y))" }
}

/// A size in pixels.
public struct Size: Hashable, Sendable, CustomStringConvertible {
    public var width: Int
    public var height: Int
    public init(width: Int, height: Int) { self.width = width; self.height = height }
    public var area: Int { width * height }
    public var description: String { "\(width)x\(height)" }
}

/// An axis-aligned rectangle with integer edges. `maxX`/`maxY` are exclusive, like RFB's
/// x+width and y+height. A rectangle with no area is empty; all empty rectangles are equivalent
/// for region arithmetic.
public struct Rect: Hashable, Sendable, CustomStringConvertible {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }
    public init(origin: Point, size: Size) {
        self.init(x: origin.x, y: origin.y, width: size.width, height: size.height)
    }
    public init(size: Size) { self.init(x: 0, y: 0, width: size.width, height: size.height) }
    /// The rectangle spanning `minX..<maxX` and `minY..<maxY`.
    public init(minX: Int, minY: Int, maxX: Int, maxY: Int) {
        self.init(x: minX, y: minY, width: maxX - minX, height: maxY - minY)
    }

    public static let zero = Rect(x: 0, y: 0, width: 0, height: 0)

    public var minX: Int { x }
    public var minY: Int { y }
    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    public var origin: Point { Point(x: x, y: y) }
    public var size: Size { Size(width: width, height: height) }
    public var area: Int { isEmpty ? 0 : width * height }
    public var isEmpty: Bool { width <= 0 || height <= 0 }

    public func contains(_ p: Point) -> Bool {
        p.x >= minX && p.x < maxX && p.y >= minY && p.y < maxY
    }
    public func contains(_ r: Rect) -> Bool {
        r.isEmpty || (r.minX >= minX && r.maxX <= maxX && r.minY >= minY && r.maxY <= maxY)
    }
    public func intersects(_ r: Rect) -> Bool { !intersection(r).isEmpty }

    /// The common part, or an empty rect (`.zero`) when the two do not overlap.
    public func intersection(_ r: Rect) -> Rect {
        let x0 = max(minX, r.minX), y0 = max(minY, r.minY)
        let x1 = min(maxX, r.maxX), y1 = min(maxY, r.maxY)
        if x1 <= x0 || y1 <= y0 { return .zero }
        return Rect(minX: x0, minY: y0, maxX: x1, maxY: y1)
    }

    /// The smallest rectangle containing both (empty rects are ignored).
    public func union(_ r: Rect) -> Rect {
        if isEmpty { return r }
        if r.isEmpty { return self }
        return Rect(minX: min(minX, r.minX), minY: min(minY, r.minY), maxX: max(maxX, r.maxX), maxY: max(maxY, r.maxY))
    }

    public func offsetBy(dx: Int, dy: Int) -> Rect { Rect(x: x + dx, y: y + dy, width: width, height: height) }

    /// Splits the rectangle into tiles of at most `tileWidth` x `tileHeight`, row by row, left to
    /// right, aligned to the rectangle's own origin (as Hextile and ZRLE tile their rects).
    public func tiles(width tileWidth: Int, height tileHeight: Int) -> [Rect] {
        precondition(tileWidth > 0 && tileHeight > 0)
        guard !isEmpty else { return [] }
        var out: [Rect] = []
        out.reserveCapacity(((width + tileWidth - 1) / tileWidth) * ((height + tileHeight - 1) / tileHeight))
        var ty = minY
        while ty < maxY {
            let th = min(tileHeight, maxY - ty)
            var tx = minX
            while tx < maxX {
                let tw = min(tileWidth, maxX - tx)
                out.append(Rect(x: tx, y: ty, width: tw, height: th))
                tx += tw
            }
            ty += th
        }
        return out
    }

    public var description: String { "\(width)x\(height)+\(x)+\(y)" }
}
