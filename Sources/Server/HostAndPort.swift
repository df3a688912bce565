/// A `HOST:PORT` pair as users type it: `127.0.0.1:5900`, `localhost:5901`, `[::1]:5900`, or the
/// vncviewer form `HOST::PORT`. A bare `:PORT` means all interfaces' default host is kept.
public struct HostAndPort: Equatable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) { self.host = host; self.port = port }

    public enum ParseError: Error, CustomStringConvertible {
        case malformed(String)
        public var description: String {
            switch self {
            case .malformed(let s): return "'\(s)' is not HOST:PORT (for example 127.0.0.1:5900 or [::1]:5900)"
            }
        }
    }

    public init(parsing text: String, defaultHost: String = "127.0.0.1") throws {
        var hostPart: Substring
        var portPart: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            hostPart = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw ParseError.malformed(text) }
            portPart = rest.dropFirst()
        } else if let range = text.range(of: "::") {
            hostPart = text[..<range.lowerBound]
            portPart = text[range.upperBound...]
        } else if let colon = text.lastIndex(of: ":") {
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
        } else {
            throw ParseError.malformed(text)
        }
        if hostPart.isEmpty { hostPart = Substring(defaultHost) }
        guard let port = Int(portPart), (0...65535).contains(port) else { throw ParseError.malformed(text) }
        self.init(host: String(hostPart), port: port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Whether only this machine can reach the address: 127.0.0.0/8, ::1 (or its IPv4-mapped
    /// form) or the name localhost. Anything else, 0.0.0.0 and :: above all, reaches the network.
    public var isLoopback: Bool {
        let name = host.lowercased()
        if name == "localhost" || name == "::1" || name == "0:0:0:0:0:0:0:1" { return true }
        let ipv4 = name.hasPrefix("::ffff:") ? String(name.dropFirst(7)) : name
        let octets = ipv4.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.first == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}
