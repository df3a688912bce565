import Pixels
import PortholeTestSupport

/// The pictures the integration tests serve: small, so a full run stays fast, and busy enough
/// (windows, text, a gradient, noise) that every encoder has to use all of its sub-encodings.
enum Fixtures {
    static let width = 320
    static let height = 200
    static func desktop() -> PixelBuffer { TestImages.desktop(width: width, height: height) }
    static func photographic() -> PixelBuffer { TestImages.photographic(width: width, height: height) }
}
