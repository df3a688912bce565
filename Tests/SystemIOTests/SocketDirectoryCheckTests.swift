#if canImport(Glibc)
import Glibc
#endif
import Testing
import SystemIO

struct SocketDirectoryCheckTests {
    private let user: UInt32 = 1000

    @Test func aDirectoryOfThisUserOrRootIsSafe() {
        #expect(SocketDirectoryCheck.problem(directory: "/run/user/1000", ownerID: user, mode: 0o40700, userID: user) == nil)
        #expect(SocketDirectoryCheck.problem(directory: "/run/porthole", ownerID: 0, mode: 0o40755, userID: user) == nil)
        // /tmp: root's, writable by all, sticky.
        #expect(SocketDirectoryCheck.problem(directory: "/tmp", ownerID: 0, mode: 0o41777, userID: user) == nil)
        #expect(SocketDirectoryCheck.problem(directory: "/tmp/mine", ownerID: user, mode: 0o41777, userID: user) == nil)
    }

    @Test func aDirectoryOfAnotherUserIsNot() {
        let problem = SocketDirectoryCheck.problem(directory: "/tmp/porthole-1000", ownerID: 1001, mode: 0o40700, userID: user)
        #expect(problem == "/tmp/porthole-1000 belongs to user 1001, who could replace the socket; remove it or choose another path")
        // Even sticky: its owner may still remove anything in it.
        #expect(SocketDirectoryCheck.problem(directory: "/tmp/x", ownerID: 1001, mode: 0o41777, userID: user) != nil)
    }

    @Test func aDirectoryOthersMayWriteToWithoutTheStickyBitIsNot() {
        #expect(SocketDirectoryCheck.problem(directory: "/tmp/loose", ownerID: user, mode: 0o40777, userID: user)
                == "/tmp/loose is writable by other users and not sticky (mode 777), so they could replace the socket")
        #expect(SocketDirectoryCheck.problem(directory: "/tmp/group", ownerID: user, mode: 0o40770, userID: user) != nil)
        #expect(SocketDirectoryCheck.problem(directory: "/tmp/root", ownerID: 0, mode: 0o40757, userID: user) != nil)
    }

    /// The listener applies the check before it binds: a directory others may write to is
    /// refused until it is made sticky.
    @Test func theListenerRefusesAnUnsafeDirectory() throws {
        let root = makeTemporaryDirectory()
        defer { removeTree(root) }
        let directory = root + "/shared"
        #expect(mkdir(directory, 0o700) == 0)
        #expect(chmod(directory, 0o777) == 0)
        let path = directory + "/device.sock"
        let expected = SystemError(operation: "socket \(path)", errno: EPERM,
                                   detail: "\(directory) is writable by other users and not sticky (mode 777), so they could replace the socket")
        #expect(throws: expected) { try UnixSocketListener(path: path) }
        #expect(access(path, F_OK) != 0, "nothing was bound")
        #expect(chmod(directory, 0o1777) == 0)
        let listener = try UnixSocketListener(path: path)
        try listener.close()
    }
}
