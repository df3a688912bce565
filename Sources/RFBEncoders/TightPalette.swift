/// The distinct colours of one Tight rectangle, up to a limit, with a fast key-to-index lookup:
/// what the PaletteFilter (rfbproto "Tight Encoding") needs.
///
/// An open-addressing hash table of 1024 slots holds at most 256 colours (a load of a quarter),
/// so a lookup is one multiply and usually one probe. Runs of equal pixels skip the table. All
/// storage is allocated once per encoder, never per pixel.
final class TightPalette {
    /// The most colours a Tight palette can hold.
    static let capacity = 256
    private static let slotBits: UInt32 = 10
    private static let slotCount = 1 << 10

    /// The colours found, in order of first appearance.
    private(set) var colours: [UInt32] = []
    private let slotKeys: UnsafeMutablePointer<UInt32>
    /// Palette index + 1 per slot; 0 marks a free slot.
    private let slotIndices: UnsafeMutablePointer<UInt16>
    private var usedSlots: [Int] = []

    init() {
        slotKeys = .allocate(capacity: Self.slotCount)
        slotIndices = .allocate(capacity: Self.slotCount)
        slotIndices.initialize(repeating: 0, count: Self.slotCount)
        slotKeys.initialize(repeating: 0, count: Self.slotCount)
        colours.reserveCapacity(Self.capacity + 1)
        usedSlots.reserveCapacity(Self.capacity + 1)
    }

    deinit {
        slotKeys.deallocate()
        slotIndices.deallocate()
    }

    var count: Int { colours.count }

    @inline(__always)
    private static func slot(_ key: UInt32) -> Int {
        Int((key &* 0x9E37_79B1) >> (32 - slotBits))
    }

    /// Collects the distinct keys of `keys[0..<count]`. Returns true when there are at most
    /// `maximum` (<= 256) of them; false as soon as there are more (the palette is then partial).
    func build(_ keys: UnsafePointer<UInt32>, count: Int, maximum: Int) -> Bool {
        for s in usedSlots { slotIndices[s] = 0 }
        usedSlots.removeAll(keepingCapacity: true)
        colours.removeAll(keepingCapacity: true)
        let limit = min(maximum, Self.capacity)
        guard count > 0 else { return true }
        var previous = keys[0]
        _ = insert(previous)
        for i in 1..<count {
            let key = keys[i]
            if key == previous { continue }
            previous = key
            if insert(key) && colours.count > limit { return false }
        }
        return true
    }

    /// Adds `key` if new; returns whether it was new.
    @inline(__always)
    private func insert(_ key: UInt32) -> Bool {
        var s = Self.slot(key)
        while true {
            let stored = slotIndices[s]
            if stored == 0 {
                slotKeys[s] = key
                colours.append(key)
                slotIndices[s] = UInt16(colours.count)
                usedSlots.append(s)
                return true
            }
            if slotKeys[s] == key { return false }
            s = (s + 1) & (Self.slotCount - 1)
        }
    }

    /// The palette index of `key`, which must be in the palette.
    @inline(__always)
    func index(of key: UInt32) -> Int {
        var s = Self.slot(key)
        while slotKeys[s] != key || slotIndices[s] == 0 { s = (s + 1) & (Self.slotCount - 1) }
        return Int(slotIndices[s]) - 1
    }

    /// The PaletteFilter's pixel data for a `width` x `height` rect: with two colours one bit
    /// per pixel, most significant bit leftmost, rows padded to whole bytes; otherwise one byte
    /// per pixel. Returns the bytes written to `out`.
    func indexData(_ keys: UnsafePointer<UInt32>, width: Int, height: Int, into out: UnsafeMutablePointer<UInt8>) -> Int {
        if colours.count == 2 {
            let first = colours[0]
            let rowBytes = (width + 7) / 8
            var k = keys
            for y in 0..<height {
                let row = out + y * rowBytes
                var x = 0
                for b in 0..<rowBytes {
                    var byte: UInt8 = 0
                    let n = min(8, width - x)
                    for bit in 0..<n where k[x + bit] != first { byte |= 0x80 >> UInt8(bit) }
                    row[b] = byte
                    x += n
                }
                k += width
            }
            return rowBytes * height
        }
        let n = width * height
        var previous = keys[0]
        var index = UInt8(truncatingIfNeeded: self.index(of: previous))
        for i in 0..<n {
            let key = keys[i]
            if key != previous {
                previous = key
                index = UInt8(truncatingIfNeeded: self.index(of: key))
            }
            out[i] = index
        }
        return n
    }
}
