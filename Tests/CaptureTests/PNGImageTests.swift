import CPNG
import Capture
import Foundation
import Pixels
import PortholeTestSupport
import Testing

@Suite final class PNGImageTests {
    /// This test's own directory (tests run in parallel), removed when it ends.
    private let directory: String = {
        let d = NSTemporaryDirectory() + "porthole-png-tests-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }()

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    @Test func saveThenLoadGivesIdenticalPixels() throws {
        let image = TestImages.random(width: 97, height: 61, seed: 7)
        let path = directory + "/random.png"
        try PNGImage.save(image, to: path)
        #expect(try PNGImage.load(contentsOf: path) == image)
        #expect(try PNGImage.decode(PNGImage.encode(image)) == image)
    }

    @Test func missingFileIsReported() {
        let path = directory + "/does-not-exist.png"
        #expect(throws: PNGError.fileNotFound(path: path)) { try PNGImage.load(contentsOf: path) }
    }

    @Test func nonPNGFileIsReported() throws {
        let path = directory + "/text.png"
        try Data("hello, this is not a picture\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: PNGError.notPNG(path: path)) { try PNGImage.load(contentsOf: path) }
        #expect(throws: PNGError.notPNG(path: nil)) { try PNGImage.decode([0x89, 0x50]) }
    }

    @Test func truncatedDataIsADecodeError() throws {
        let data = try PNGImage.encode(TestImages.random(width: 40, height: 40))
        #expect {
            try PNGImage.decode(Array(data.prefix(data.count / 2)))
        } throws: { error in
            guard case .decodeFailed = error as? PNGError else { return false }
            return true
        }
    }

    @Test func directoryIsUnreadable() {
        #expect {
            try PNGImage.load(contentsOf: directory)
        } throws: { error in
            guard case .unreadable(let path, _) = error as? PNGError else { return false }
            return path == directory
        }
    }

    @Test func oversizedImagesAreRefusedBeforeDecoding() throws {
        let small = try PNGImage.encode(PixelBuffer(width: 100, height: 50, fill: 0x123456))
        #expect(throws: PNGError.tooLarge(width: 100, height: 50, maximumDimension: 64)) {
            try PNGImage.decode(small, maximumDimension: 64)
        }
        // A header claiming 20000x20000 (1.2 GB of RGB) is refused without allocating it.
        var huge = small
        writeBigEndian(20000, into: &huge, at: 16)
        writeBigEndian(20000, into: &huge, at: 20)
        writeBigEndian(crc32(huge[12..<29]), into: &huge, at: 29)
        #expect(throws: PNGError.tooLarge(width: 20000, height: 20000, maximumDimension: 16384)) {
            try PNGImage.decode(huge)
        }
    }

    /// A header claiming far more pixels than the file's bytes can hold is refused before the
    /// pixels are allocated (a 74-byte file claiming 16384x16384 took 800 MB before libpng failed),
    /// while the most compressible real images, a whole screen of one colour, still load.
    @Test func aHeaderClaimingMoreThanTheDataHoldsIsRefusedBeforeAllocating() throws {
        let small = try PNGImage.encode(PixelBuffer(width: 100, height: 50, fill: 0x123456))
        var claimed = small
        writeBigEndian(16384, into: &claimed, at: 16)
        writeBigEndian(16384, into: &claimed, at: 20)
        writeBigEndian(crc32(claimed[12..<29]), into: &claimed, at: 29)
        #expect(throws: PNGError.dataTooShort(path: nil, width: 16384, height: 16384, bytes: claimed.count)) {
            try PNGImage.decode(claimed)
        }
        #expect(PNGError.dataTooShort(path: "/x.png", width: 16384, height: 16384, bytes: 90).description
                == "/x.png: claims 16384x16384 pixels, more than its 90 bytes can hold (truncated?)")

        for side in [1, 4096] {
            let flat = try PNGImage.encode(PixelBuffer(width: side, height: side, fill: 0))
            let image = try PNGImage.decode(flat)
            #expect(image.width == side && image.height == side, "a real \(side)x\(side) PNG of \(flat.count) bytes")
        }
    }

    @Test func alphaIsCompositedOntoBlack() throws {
        // RGBA: opaque red, transparent white, half-transparent green.
        let rgba: [UInt8] = [255, 0, 0, 255, 255, 255, 255, 0, 0, 255, 0, 128]
        let data = try writePNG(width: 3, height: 1, format: UInt32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA), bytes: rgba)
        let image = try PNGImage.decode(data)
        #expect(image[0, 0] == 0xff0000)
        #expect(image[1, 0] == 0x000000)
        let green = image[2, 0]
        #expect(green & 0xff00ff == 0 && (green >> 8 & 0xff) > 0 && (green >> 8 & 0xff) < 255)
    }

    @Test func sixteenBitImagesLoadAsEightBit() throws {
        // Linear 16-bit RGB: black, white, full blue.
        let samples: [UInt16] = [0, 0, 0, 65535, 65535, 65535, 0, 0, 65535]
        let bytes = samples.withUnsafeBytes { Array($0) }
        let data = try writePNG(width: 3, height: 1, format: UInt32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_LINEAR), bytes: bytes)
        #expect(data[24] == 16, "the fixture must really be 16 bits per channel")
        let image = try PNGImage.decode(data)
        #expect(image.pixels == [0x000000, 0xffffff, 0x0000ff])
    }

    @Test func paletteImagesLoadExactly() throws {
        let colours: [UInt8] = [0x10, 0x20, 0x30, 0xff, 0x80, 0x00, 0x00, 0xc0, 0xff]
        let indices: [UInt8] = [0, 1, 2, 2, 1, 0]
        let data = try writePNG(width: 3, height: 2, format: UInt32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_COLORMAP), bytes: indices, colormap: colours)
        #expect(data[25] == 3, "the fixture must really be a palette PNG")
        let image = try PNGImage.decode(data)
        #expect(image.pixels == [0x102030, 0xff8000, 0x00c0ff, 0x00c0ff, 0xff8000, 0x102030])
    }

    @Test func errorsDescribeThemselves() {
        #expect(PNGError.fileNotFound(path: "/x.png").description == "/x.png: no such file")
        #expect(PNGError.tooLarge(width: 20000, height: 5, maximumDimension: 16384).description.contains("20000x5"))
    }

    // MARK: - Fixtures written with libpng directly

    private func writePNG(width: Int, height: Int, format: UInt32, bytes: [UInt8], colormap: [UInt8]? = nil) throws -> [UInt8] {
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        image.width = png_uint_32(width)
        image.height = png_uint_32(height)
        image.format = format
        image.colormap_entries = png_uint_32((colormap?.count ?? 0) / 3)
        defer { png_image_free(&image) }
        var size: png_alloc_size_t = 1 << 16
        var out = [UInt8](repeating: 0, count: Int(size))
        let ok = out.withUnsafeMutableBytes { o in
            bytes.withUnsafeBytes { b in
                if let colormap {
                    return colormap.withUnsafeBytes { png_image_write_to_memory(&image, o.baseAddress, &size, 0, b.baseAddress, 0, $0.baseAddress) }
                }
                return png_image_write_to_memory(&image, o.baseAddress, &size, 0, b.baseAddress, 0, nil)
            }
        }
        try #require(ok != 0)
        return Array(out.prefix(Int(size)))
    }

    private func writeBigEndian(_ value: UInt32, into data: inout [UInt8], at offset: Int) {
        for i in 0..<4 { data[offset + i] = UInt8(truncatingIfNeeded: value >> (24 - 8 * UInt32(i))) }
    }

    private func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xffff_ffff
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xedb8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
