import Geometry

/// A rectangle in a framebuffer in 16.16 fixed point, like KMS SRC_X/SRC_Y/SRC_W/SRC_H: sub-pixel
/// source positions let a producer pan and scale smoothly.
public struct SourceRect: Hashable, Sendable, CustomStringConvertible {
    public static let one = 1 << 16
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    /// Raw 16.16 values.
    public init(fixedX x: Int, y: Int, width: Int, height: Int) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }
    /// Whole pixels.
    public init(_ rect: Rect) {
        self.init(fixedX: rect.x << 16, y: rect.y << 16, width: rect.width << 16, height: rect.height << 16)
    }

    public var isEmpty: Bool { width <= 0 || height <= 0 }

    /// True when the rect lies inside a `width` x `height` framebuffer (no negative origin).
    func isInside(width fbWidth: Int, height fbHeight: Int) -> Bool {
        x >= 0 && y >= 0 && width <= (fbWidth << 16) - x && height <= (fbHeight << 16) - y
    }

    public var description: String {
        func f(_ v: Int) -> String {
            let whole = v >> 16, fraction = v & 0xffff
            return fraction == 0 ? "\(whole)" : "\(whole)+\(fraction)/65536"
        }
        return "\(f(width))x\(f(height))+\(f(x))+\(f(y))"
    }
}
