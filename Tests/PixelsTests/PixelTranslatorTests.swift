import Testing
@testable import Pixels

struct PixelTranslatorTests {
    @Test(arguments: [PixelFormat.xrgb8888, .rgb565, .bgr233,
                      PixelFormat(bitsPerPixel: 32, depth: 24, bigEndian: true, trueColour: true, redMax: 255, greenMax: 255, blueMax: 255, redShift: 0, greenShift: 8, blueShift: 16),
                      PixelFormat(bitsPerPixel: 16, depth: 15, bigEndian: true, trueColour: true, redMax: 31, greenMax: 31, blueMax: 31, redShift: 10, greenShift: 5, blueShift: 0)])
    func roundTripWithinPrecision(format: PixelFormat) throws {
        try format.validate()
        let t = PixelTranslator(format: format)
        let colours: [UInt32] = [0x000000, 0xffffff, 0xff0000, 0x00ff00, 0x0000ff, 0x123456, 0x808080, 0xfedcba]
        var bytes = [UInt8](repeating: 0, count: colours.count * format.bytesPerPixel)
        colours.withUnsafeBufferPointer { c in bytes.withUnsafeMutableBytes { t.convert(c.baseAddress!, count: colours.count, into: $0.baseAddress!) } }
        for (i, c) in colours.enumerated() {
            let v = bytes.withUnsafeBytes { PixelTranslator.load(from: $0.baseAddress! + i * format.bytesPerPixel, format: format) }
            let back = PixelTranslator.canonical(fromPixelValue: v, format: format)
            for shift: UInt32 in [16, 8, 0] {
                let maxValue: UInt16 = shift == 16 ? format.redMax : shift == 8 ? format.greenMax : format.blueMax
                let tolerance = Int(255 / Int(maxValue)) / 2 + 1
                #expect(abs(Int((c >> shift) & 0xff) - Int((back >> shift) & 0xff)) <= tolerance, "\(format) colour \(c)")
            }
        }
    }

    @Test func xrgbIsIdentityInLittleEndianMemory() {
        let t = PixelTranslator(format: .xrgb8888)
        #expect(t.isIdentity)
        var out = [UInt8](repeating: 0, count: 4)
        [UInt32(0x00112233)].withUnsafeBufferPointer { p in out.withUnsafeMutableBytes { t.convert(p.baseAddress!, count: 1, into: $0.baseAddress!) } }
        #expect(out == [0x33, 0x22, 0x11, 0x00])
    }

    @Test func invalidFormatsAreRejected() {
        var f = PixelFormat.xrgb8888
        f.bitsPerPixel = 24
        #expect(throws: PixelFormat.ValidationError.unsupportedBitsPerPixel(24)) { try f.validate() }
        f = .xrgb8888; f.trueColour = false
        #expect(throws: PixelFormat.ValidationError.colourMapWiderThan8Bits(32)) { try f.validate() }
        f = .bgr233; f.trueColour = false; f.redMax = 0; f.blueShift = 200
        #expect(throws: Never.self, "an 8-bit colour map's maxima and shifts mean nothing") { try f.validate() }
        f.depth = 0
        #expect(throws: PixelFormat.ValidationError.badDepth(0)) { try f.validate() }
        f = .xrgb8888; f.greenMax = 0
        #expect(throws: PixelFormat.ValidationError.zeroMaximum) { try f.validate() }
        f = .xrgb8888; f.blueMax = 100
        #expect(throws: PixelFormat.ValidationError.maximumNotAllOnes(100)) { try f.validate() }
        f = .rgb565; f.redShift = 12
        #expect(throws: PixelFormat.ValidationError.componentOutsidePixel) { try f.validate() }
    }
}
