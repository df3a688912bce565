import NIOCore

extension SocketAddress {
    /// The peer as log lines name it: `1.2.3.4:5678` or `[::1]:5678`.
    var peerDescription: String {
        if let ip = ipAddress, let port { return self.protocol == .inet6 ? "[\(ip)]:\(port)" : "\(ip):\(port)" }
        return "\(self)"
    }
}
