#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Synchronization
@testable import SystemIO

/// Writes `bytes` at `offset` with pwrite(2), as a producer would.
func producerWrite(_ fd: FileDescriptorHandle, _ bytes: [UInt8], at offset: Int = 0) {
    let written = bytes.withUnsafeBytes { pwrite(fd.rawValue, $0.baseAddress, $0.count, off_t(offset)) }
    precondition(written == bytes.count, "pwrite failed: errno \(errno)")
}

/// Reads `count` bytes from `offset` with pread(2).
func readBack(_ fd: FileDescriptorHandle, count: Int, at offset: Int = 0) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: count)
    let read = bytes.withUnsafeMutableBytes { pread(fd.rawValue, $0.baseAddress, count, off_t(offset)) }
    precondition(read >= 0, "pread failed: errno \(errno)")
    return Array(bytes.prefix(read))
}

/// A pipe(2) pair, CLOEXEC.
func makePipe() -> (read: FileDescriptorHandle, write: FileDescriptorHandle) {
    var fds: [Int32] = [-1, -1]
    precondition(pipe(&fds) == 0)
    for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    return (FileDescriptorHandle(adopting: fds[0]), FileDescriptorHandle(adopting: fds[1]))
}

/// A fresh directory under /tmp for socket paths, removed by the caller with `removeTree`.
func makeTemporaryDirectory() -> String {
    var template = Array("/tmp/porthole-systemio-XXXXXX".utf8CString)
    let result = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    precondition(result != nil)
    return String(cString: template.withUnsafeBufferPointer { $0.baseAddress! })
}

func removeTree(_ path: String) {
    var st = stat()
    guard lstat(path, &st) == 0 else { return }
    if st.st_mode & S_IFMT == S_IFDIR {
        if let dir = opendir(path) {
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
                if name != "." && name != ".." { removeTree(path + "/" + name) }
            }
            closedir(dir)
        }
        rmdir(path)
    } else {
        unlink(path)
    }
}

/// Collects events from a callback thread and lets a test wait for them with a timeout, so a
/// broken channel fails the test instead of hanging it.
final class Recorder<Event: Sendable>: Sendable {
    private let events = Mutex<[Event]>([])
    private let signal = DispatchSemaphore(value: 0)

    func record(_ event: Event) {
        events.withLock { $0.append(event) }
        signal.signal()
    }

    var all: [Event] { events.withLock { $0 } }

    /// Waits until `condition` holds for the recorded events, up to `seconds`.
    @discardableResult
    func wait(seconds: Double = 5, until condition: ([Event]) -> Bool) -> Bool {
        let deadline = DispatchTime.now() + seconds
        while !condition(all) {
            if signal.wait(timeout: deadline) == .timedOut { return condition(all) }
        }
        return true
    }
}
