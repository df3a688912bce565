import Foundation

/// Connections opened and then left silent, to fill a server's descriptors: connect(2) succeeds
/// once the kernel queues a connection, whether or not the server has accepted it yet.
final class HeldConnections {
    private var descriptors: [Int32] = []

    var count: Int { descriptors.count }

    /// `count` TCP connections to 127.0.0.1:`port`.
    init(tcpPort port: Int, count: Int) throws {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        try open(count, family: AF_INET) { fd in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
    }

    /// `count` connections to the Unix socket at `path`.
    init(unixSocket path: String, count: Int) throws {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw HarnessError("socket path too long: \(path)") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        try open(count, family: AF_UNIX) { fd in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
        }
    }

    private func open(_ count: Int, family: Int32, connecting: (Int32) -> Int32) throws {
        for i in 0..<count {
            let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { close(); throw HarnessError("socket() failed: errno \(errno)") }
            guard connecting(fd) == 0 else {
                let code = errno
                Glibc.close(fd)
                close()
                throw HarnessError("connect() of connection \(i + 1) of \(count) failed: errno \(code)")
            }
            descriptors.append(fd)
        }
    }

    /// Closes every connection.
    func close() {
        for fd in descriptors { Glibc.close(fd) }
        descriptors.removeAll()
    }

    deinit { close() }
}
