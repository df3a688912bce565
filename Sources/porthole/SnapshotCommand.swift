import ArgumentParser
import Capture
import Foundation
import RFB
import Server
import VNCAuth

/// `porthole snapshot`: connect to any VNC server and save its framebuffer as a PNG, or as a JPEG
/// when the file is named so (vncsnapshot's format).
struct SnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Save a VNC server's framebuffer as a PNG or JPEG file.")

    @Argument(help: "The server, HOST:PORT (or HOST::PORT).")
    var server: String

    @Argument(help: "Where to write the picture: a PNG (exact) for .png, a JPEG for .jpg or .jpeg.")
    var output: String

    @Option(help: "JPEG quality, 1...100 (for a .jpg or .jpeg file).")
    var quality: Int = 95

    @Option(help: "Ask for this encoding: raw, rre, hextile, zrle or tight (lossless; the decoder supports all).")
    var encoding: String = "zrle"

    @Option(help: "File whose first line is the VNC password.")
    var passwordFile: String?

    @Option(help: "Give up after this many seconds.")
    var timeout: Double = 20

    @Flag(help: "Also ask for ExtendedDesktopSize and print the server's screens, one line each: screen ID X,Y WxH.")
    var printLayout = false

    /// Checked before connecting: a server should not be asked for a picture that cannot be kept.
    func validate() throws {
        _ = try Self.fileType(of: output)
        guard JPEGImage.qualities.contains(quality) else { throw ValidationError("--quality must be 1...100, not \(quality)") }
    }

    private static func fileType(of path: String) throws -> ImageFileType {
        guard let type = ImageFileType(path: path) else {
            throw ValidationError("cannot tell what kind of picture '\(path)' names; end it in \(ImageFileType.knownExtensions)")
        }
        return type
    }

    func run() async throws {
        let address = try HostAndPort(parsing: server)
        let type = try Self.fileType(of: output)
        guard let preferred = Encoding(name: encoding), preferred != .copyRect else {
            throw ValidationError("unknown encoding '\(encoding)'; use raw, rre, hextile, zrle or tight")
        }
        var password: [UInt8]? = nil
        if let passwordFile {
            guard let contents = FileManager.default.contents(atPath: passwordFile) else {
                let why = FileManager.default.fileExists(atPath: passwordFile) ? "not a readable file" : "no such file"
                throw ValidationError("cannot read the password file \(passwordFile): \(why)")
            }
            password = VNCAuthentication.password(fromFileContents: Array(contents))
        }
        let (frame, layout) = try await VNCSnapshot.captureWithLayout(address: address, preferredEncoding: preferred, password: password,
                                                                     timeout: timeout, askForLayout: printLayout)
        switch type {
        case .png: try PNGImage.save(frame, to: output)
        case .jpeg: try JPEGImage.save(frame, to: output, quality: quality)
        }
        print("saved \(frame.width)x\(frame.height) from \(address) to \(output)")
        if printLayout {
            guard let layout else { throw ValidationError("the server sent no ExtendedDesktopSize layout") }
            for screen in layout.screens {
                print("screen \(screen.id) \(screen.rect.x),\(screen.rect.y) \(screen.rect.width)x\(screen.rect.height)")
            }
        }
    }
}
