import Foundation
import PortholeTestSupport
import Testing

/// The harness's own check: a peer a test starts can be asked to stop. Swift's concurrency threads
/// block nearly every signal, and a child inherits the mask of the thread that spawns it; a peer
/// with SIGTERM blocked only ever stops by SIGKILL, and a killed x11vnc leaks its SysV
/// shared-memory segments until the machine has none left.
@Suite struct ChildSignalMaskTests {
    @Test func aStartedPeerBlocksNoSignal() async throws {
        let scratch = try ScratchDirectory("signal-mask")
        let threadMaskBefore = Self.callingThreadMask()

        let status = try await ProcessRunner.check("/bin/grep", ["SigBlk", "/proc/self/status"], in: scratch)

        #expect(status.contains("SigBlk:\t0000000000000000"), "the child's blocked signals: \(status)")
        #expect(Self.callingThreadMask() == threadMaskBefore, "spawning changed the calling thread's signal mask")
    }

    @Test func aStartedPeerStopsOnSIGTERM() async throws {
        let scratch = try ScratchDirectory("signal-term")
        // Not a shell: dash clears its signal mask when it starts, which would hide the fault.
        let script = "import signal, sys, time\n"
            + "signal.signal(signal.SIGTERM, lambda *_: (print('terminated', flush=True), sys.exit(0)))\n"
            + "print('ready', flush=True)\n"
            + "time.sleep(60)\n"
        let child = try ChildProcess(try requirePeer("python3"), ["-c", script], logFile: scratch.uniqueFile("python3", extension: "log"))
        let ready = await child.waitForOutput(timeout: 20) { $0.contains("ready") ? true : nil }
        try #require(ready == true, "\(child.output)")

        child.stop(grace: 5)

        #expect(child.output.contains("terminated"), "python never saw SIGTERM: \(child.output)")
    }

    private static func callingThreadMask() -> [UInt] {
        var mask = sigset_t()
        pthread_sigmask(SIG_SETMASK, nil, &mask)
        return withUnsafeBytes(of: mask) { Array($0.bindMemory(to: UInt.self)) }
    }
}
