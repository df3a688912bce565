import Foundation

/// The two password file formats in play: Porthole's (the password on the first line, plain) and
/// the DES-obfuscated one that TigerVNC's vncviewer, Xvnc and vncsnapshot read, made by `vncpasswd -f`.
enum VNCPasswordFiles {
    static func plain(_ password: String, scratch: ScratchDirectory) throws -> URL {
        let url = scratch.uniqueFile("password", extension: "txt")
        try Data((password + "\n").utf8).write(to: url)
        return url
    }

    static func obfuscated(_ password: String, scratch: ScratchDirectory) async throws -> URL {
        let input = try plain(password, scratch: scratch)
        let output = scratch.uniqueFile("password", extension: "vnc")
        try await ProcessRunner.check("/bin/sh", ["-c", "exec \"$1\" -f < \"$2\" > \"$3\"", "sh",
                                                  try requirePeer("vncpasswd"), input.path, output.path], in: scratch)
        let size = (try? FileManager.default.attributesOfItem(atPath: output.path)[.size] as? Int) ?? 0
        guard size == 8 else { throw HarnessError("vncpasswd -f wrote \(size) bytes, expected 8") }
        return output
    }
}
