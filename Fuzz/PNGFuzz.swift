// libFuzzer harness: a file's bytes through Porthole's PNG reading (`porthole serve --image`):
// the signature check, the size limits checked before anything is allocated, and libpng's
// simplified reader. Any input must end in an image of the size it claims or in a PNGError, never
// in a trap or a bad memory access.
// Built and run by scripts/fuzz.sh; see docs/testing.md, "Fuzzing".
import Capture

/// Small, so that each run is fast; the checks against it are the same code as at full size.
private let maximumDimension = 512

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let image = try? PNGImage.decode(bytes, maximumDimension: maximumDimension) {
        precondition(image.width <= maximumDimension && image.height <= maximumDimension && image.pixels.count == image.width * image.height)
    }
    return 0
}
