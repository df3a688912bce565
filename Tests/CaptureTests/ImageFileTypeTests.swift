import Capture
import Testing

/// `porthole snapshot` picks the file's format from its name, and refuses names it cannot tell.
struct ImageFileTypeTests {
    @Test(arguments: [
        ("shot.png", ImageFileType.png), ("SHOT.PNG", .png), ("/tmp/a.b/shot.png", .png), ("shot.jpg", .jpeg),
        ("shot.JPEG", .jpeg), ("dir/shot.jpeg", .jpeg), ("shot.tar.jpg", .jpeg),
    ])
    func knownExtensionsNameTheirFormat(path: String, type: ImageFileType) {
        #expect(ImageFileType(path: path) == type)
    }

    /// No extension, an unknown one, a hidden file that is all extension, a directory with a dot.
    @Test(arguments: ["shot", "shot.bmp", "shot.png.txt", ".png", "pictures.png/", "a.jpg/shot", "shot.", ""])
    func otherNamesNameNoFormat(path: String) {
        #expect(ImageFileType(path: path) == nil, "\(path)")
    }
}
