import Pixels
import Testing

/// The fixed map a colour-map viewer gets: pixel value v, translated from a colour as for BGR233,
/// must show that colour to within the quantization, and the ends of each scale must be exact.
struct ColourMapStandInTests {
    @Test func everyPixelValueShowsTheColourItWasTranslatedFrom() {
        let translator = PixelTranslator(format: ColourMapStandIn.format)
        #expect(ColourMapStandIn.entries.count == 256)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let colour = UInt32.random(in: 0...0xff_ffff, using: &generator)
            var value: UInt8 = 0
            withUnsafePointer(to: colour) { source in withUnsafeMutablePointer(to: &value) { translator.convert(source, count: 1, into: $0) } }
            let entry = ColourMapStandIn.entries[Int(value)]
            // Half a step of each scale (7, 7 and 3 levels above zero), in 8-bit units, plus rounding.
            for (component, shown, halfStep) in [(colour >> 16 & 0xff, entry.red, 19), (colour >> 8 & 0xff, entry.green, 19),
                                                 (colour & 0xff, entry.blue, 43)] as [(UInt32, UInt16, Int)] {
                #expect(abs(Int(shown >> 8) - Int(component)) <= halfStep, "\(String(colour, radix: 16)) → \(value) → \(entry)")
            }
        }
    }

    @Test func blackWhiteAndThePrimariesAreExact() {
        let entries = ColourMapStandIn.entries
        #expect(entries[0] == (0, 0, 0))
        #expect(entries[255] == (65535, 65535, 65535))
        #expect(entries[0b00_000_111] == (65535, 0, 0))
        #expect(entries[0b00_111_000] == (0, 65535, 0))
        #expect(entries[0b11_000_000] == (0, 0, 65535))
    }
}
