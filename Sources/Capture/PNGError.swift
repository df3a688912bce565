/// Why a PNG could not be read or written. The messages name the file and the cause, because they
/// end up in front of a user who passed a path on the command line.
public enum PNGError: Error, Equatable, CustomStringConvertible {
    /// No file at the path.
    case fileNotFound(path: String)
    /// The file exists but could not be opened or read (permissions, a directory, an I/O error).
    case unreadable(path: String, reason: String)
    /// The data does not start with the PNG signature.
    case notPNG(path: String?)
    /// The image is larger than the caller allows; refused before any pixel memory is allocated.
    case tooLarge(width: Int, height: Int, maximumDimension: Int)
    /// The header claims more pixels than the data could hold, even at deflate's best ratio;
    /// refused before any pixel memory is allocated.
    case dataTooShort(path: String?, width: Int, height: Int, bytes: Int)
    /// libpng rejected the data (corrupt or truncated stream, unsupported feature).
    case decodeFailed(path: String?, message: String)
    /// libpng could not encode the image, or the file could not be written.
    case writeFailed(path: String?, message: String)

    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "\(path): no such file"
        case .unreadable(let path, let reason):
            return "\(path): cannot read: \(reason)"
        case .notPNG(let path):
            return "\(path ?? "data"): not a PNG file (bad signature)"
        case .tooLarge(let width, let height, let limit):
            return "PNG image is \(width)x\(height); images larger than \(limit)x\(limit) are refused"
        case .dataTooShort(let path, let width, let height, let bytes):
            return "\(path ?? "PNG data"): claims \(width)x\(height) pixels, more than its \(bytes) bytes can hold (truncated?)"
        case .decodeFailed(let path, let message):
            return "\(path ?? "PNG data"): cannot decode: \(message)"
        case .writeFailed(let path, let message):
            return "\(path ?? "PNG data"): cannot write: \(message)"
        }
    }
}
