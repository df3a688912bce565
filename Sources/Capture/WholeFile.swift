import Foundation

/// Writes a file in one piece, for the image writers: their callers report the failure with the
/// path, so this returns the system's reason rather than throwing an error type of its own.
enum WholeFile {
    /// Writes `data` to `path`, replacing any file there. Returns nil on success, else why not
    /// (strerror of the failing call: a missing directory, a full disk).
    static func write(_ data: [UInt8], to path: String) -> String? {
        guard let file = fopen(path, "wb") else { return String(cString: strerror(errno)) }
        let count = data.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        let writeError = count == data.count ? nil : String(cString: strerror(errno))
        let closed = fclose(file) == 0
        if let writeError { return writeError }
        return closed ? nil : String(cString: strerror(errno))
    }
}
