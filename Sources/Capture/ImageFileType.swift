/// The kind of picture file a path names, told by its extension (case aside), as vncsnapshot and
/// image tools decide. A name with another extension, or none, names no kind: writing PNG bytes
/// under `shot.jpg` would give a file that viewers open as JPEG and fail on.
public enum ImageFileType: Equatable, Sendable {
    case png
    case jpeg

    /// The kind `path` names, or nil when its last component has no known extension.
    public init?(path: String) {
        let name = path.split(separator: "/", omittingEmptySubsequences: false).last ?? ""
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        switch name[name.index(after: dot)...].lowercased() {
        case "png": self = .png
        case "jpg", "jpeg": self = .jpeg
        default: return nil
        }
    }

    /// The extensions `init(path:)` knows, for messages.
    public static let knownExtensions = ".png, .jpg or .jpeg"
}
