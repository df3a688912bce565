import Geometry

/// The layout of a framebuffer, as a producer describes it (KMS ADDFB2 with one plane): format
/// code, modifier, size, stride and offset into the memory. The format is kept as the raw code
/// so that an unknown one can be refused with its name.
public struct FramebufferDescriptor: Hashable, Sendable {
    public var formatCode: UInt32
    public var modifier: UInt64
    public var width: Int
    public var height: Int
    /// Bytes from one row to the next.
    public var stride: Int
    /// Byte offset of the first pixel in the memory.
    public var offset: Int

    public init(formatCode: UInt32, modifier: UInt64 = FormatModifier.linear, width: Int, height: Int, stride: Int, offset: Int = 0) {
        self.formatCode = formatCode; self.modifier = modifier
        self.width = width; self.height = height; self.stride = stride; self.offset = offset
    }
    public init(format: FourCC, width: Int, height: Int, stride: Int? = nil, offset: Int = 0) {
        self.init(formatCode: format.rawValue, width: width, height: height,
                  stride: stride ?? width * format.bytesPerPixel, offset: offset)
    }

    public var format: FourCC? { FourCC(rawValue: formatCode) }
    public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    /// Checks the layout against the memory that backs it: known format, linear modifier, a size
    /// within limits, stride >= width * bpp and offset + stride * (height - 1) + width * bpp
    /// within the memory. Every product is bounded before it is formed, so nothing overflows.
    public func validate(as id: FramebufferID, memoryByteCount: Int, maximumSize: Int) throws(DisplayError) {
        guard let format else { throw .unknownFormat(id, code: formatCode) }
        guard modifier == FormatModifier.linear else { throw .unsupportedModifier(id, modifier: modifier) }
        guard width > 0, height > 0 else { throw .emptyFramebuffer(id, width: width, height: height) }
        guard width <= maximumSize, height <= maximumSize else {
            throw .framebufferTooLarge(id, width: width, height: height, maximum: maximumSize)
        }
        guard offset >= 0 else { throw .negativeOffset(id, offset: offset) }
        let rowBytes = width * format.bytesPerPixel
        guard stride >= rowBytes else { throw .strideTooSmall(id, stride: stride, width: width, bytesPerPixel: format.bytesPerPixel) }
        // stride and offset are bounded by the memory before multiplying.
        guard stride <= memoryByteCount, offset <= memoryByteCount else {
            throw .memoryTooSmall(id, needed: offset.addingReportingOverflow(stride).partialValue, available: memoryByteCount)
        }
        let needed = offset + stride * (height - 1) + rowBytes
        guard needed <= memoryByteCount else { throw .memoryTooSmall(id, needed: needed, available: memoryByteCount) }
    }

    /// Bytes the layout reaches into, for a descriptor that passed `validate`.
    var requiredByteCount: Int { offset + stride * (height - 1) + width * (format?.bytesPerPixel ?? 4) }
}
