import Foundation
import Pixels

/// A test picture together with the PNG file it was written to, so a test can both serve the file
/// and compare captures against the pixels.
struct PixelBufferFile {
    let image: PixelBuffer
    let url: URL

    static func png(_ image: PixelBuffer, scratch: ScratchDirectory) async throws -> PixelBufferFile {
        let url = scratch.uniqueFile("served", extension: "png")
        try await ImageFiles.writePNG(image, to: url, scratch: scratch)
        return PixelBufferFile(image: image, url: url)
    }
}
