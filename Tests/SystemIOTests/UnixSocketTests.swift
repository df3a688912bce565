#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import SystemIO

struct UnixSocketTests {
    @Test func listenCreatesPrivateParentDirectoriesAndAcceptsConnections() throws {
        let root = makeTemporaryDirectory()
        defer { removeTree(root) }
        let path = root + "/run/porthole/display.sock"
        let listener = try UnixSocketListener(path: path)
        var st = stat()
        #expect(stat(root + "/run/porthole", &st) == 0)
        #expect(st.st_mode & 0o777 == 0o700)
        #expect(stat(root + "/run", &st) == 0)
        #expect(st.st_mode & 0o777 == 0o700)

        let client = try UnixSocket.connect(path: path)
        let server = try #require(try listener.accept())
        #expect(try server.isCloseOnExec())
        #expect(try client.isCloseOnExec())
        let credentials = try UnixSocket.peerCredentials(server)
        #expect(credentials.pid == getpid())
        #expect(credentials.uid == getuid())

        let memfd = try Memfd.create(name: "over-listener", size: 8)
        try FDPassingConnection(client).send([42], fds: [memfd.handle])
        let chunk = try #require(try FDPassingConnection(server).receive(maxBytes: 4, maxFds: 4))
        #expect(chunk.bytes == [42])
        #expect(chunk.fds.count == 1)

        try listener.close()
        #expect(access(path, F_OK) != 0)
    }

    @Test func aNonblockingListenerWithNobodyWaitingGivesNil() throws {
        let root = makeTemporaryDirectory()
        defer { removeTree(root) }
        let listener = try UnixSocketListener(path: root + "/s", nonblocking: true)
        #expect(try listener.accept() == nil)
    }

    @Test func aStaleSocketIsReplaced() throws {
        let root = makeTemporaryDirectory()
        defer { removeTree(root) }
        let path = root + "/stale.sock"
        // Leave a socket file behind without a listener, as a crashed server would.
        let orphan = FileDescriptorHandle(adopting: socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0))
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in path.utf8.enumerated() { buffer[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(orphan.rawValue, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(bound == 0)
        try orphan.close()

        let listener = try UnixSocketListener(path: path)
        _ = try UnixSocket.connect(path: path)
        #expect(try listener.accept() != nil)
    }

    @Test func aLiveSocketIsNotStolen() throws {
        let root = makeTemporaryDirectory()
        defer { removeTree(root) }
        let path = root + "/live.sock"
        let first = try UnixSocketListener(path: path)
        do {
            _ = try UnixSocketListener(path: path)
            Issue.record("a second listener took a live socket")
        } catch {
            #expect(error.errno == EADDRINUSE)
            #expect(error.detail == "another process is listening on it")
        }
        _ = try UnixSocket.connect(path: path)
        #expect(try first.accept() != nil)
    }

    @Test func aPathThatIsNotASocketIsNeverRemoved() throws {
        let root = makeTemporaryDirectory()
        defer { removeTree(root) }
        let path = root + "/file"
        close(open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0o600))
        #expect(throws: SystemError(operation: "bind(\(path))", errno: EADDRINUSE, detail: "the path exists and is not a socket")) {
            try UnixSocketListener(path: path)
        }
        #expect(access(path, F_OK) == 0)
    }

    @Test func closeLeavesAPathThatIsNoLongerOurs() throws {
        let root = makeTemporaryDirectory()
        defer { removeTree(root) }
        let path = root + "/moved.sock"
        let listener = try UnixSocketListener(path: path)
        unlink(path)
        close(open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0o600))
        try listener.close()
        #expect(access(path, F_OK) == 0)
    }

    @Test func connectingToNothingIsATypedError() throws {
        let root = makeTemporaryDirectory()
        defer { removeTree(root) }
        #expect(throws: SystemError(operation: "connect(\(root)/none)", errno: ENOENT)) {
            try UnixSocket.connect(path: root + "/none")
        }
        let long = root + "/" + String(repeating: "x", count: 120)
        #expect(throws: SystemError(operation: "connect(\(long))", errno: ENAMETOOLONG)) {
            try UnixSocket.connect(path: long)
        }
    }
}
