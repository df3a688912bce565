#if canImport(Glibc)
import Glibc
#endif
import Display
import DisplayProtocol
@testable import DisplayServer
import NIOCore
import PortholeClient
import SystemIO
import Testing

/// One test per kind of bad input (docs/protocol.md §9, §11): the offender gets an Error (and,
/// for protocol errors, is disconnected); a bystander producer keeps getting page flips.
@Suite struct HostileProducerTests {
    /// The bystander: a producer that presents a frame and sees it flip.
    private func expectStillWorks(_ bystander: ProducerSetup, seed: UInt32, fixture: DeviceServerFixture) throws {
        bystander.draw(seed % 2 == 0 ? 0 : 1, seed: seed)
        try bystander.presentAndWait(seed % 2 == 0 ? 0 : 1)
        #expect(shownFrame(fixture.server, output: bystander.output.outputID) == bystander.expectedFrame(seed: seed))
    }

    private func expectServerError(_ code: ProtocolErrorCode, containing text: String,
                                   _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected error \(code)")
        } catch DisplayClientError.server(let report) {
            #expect(report.code == code)
            #expect(report.message.contains(text), "\(report.message)")
        } catch {
            Issue.record("expected a server error \(code), got \(error)")
        }
    }

    @Test func aPipeIsNotAMemfd() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        let bystander = try ProducerSetup(try fixture.producer("bystander"))
        let offender = try fixture.producer("pipe")
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        let read = FileDescriptorHandle(adopting: fds[0]), write = FileDescriptorHandle(adopting: fds[1])
        expectServerError(.badMemory, containing: "not a memfd") {
            _ = try offender.createFramebuffer(memory: read, format: FourCC.xrgb8888.rawValue, width: 64, height: 48, stride: 256)
        }
        withExtendedLifetime(write) {}
        // A request error leaves the connection usable.
        _ = try offender.createOutput(name: "after", width: 32, height: 32)
        try expectStillWorks(bystander, seed: 1, fixture: fixture)
    }

    @Test func anUnsealedMemfdIsRefused() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        let bystander = try ProducerSetup(try fixture.producer("bystander"))
        let offender = try fixture.producer("unsealed")
        let memfd = try Memfd.create(name: "unsealed", size: 256 * 48)
        expectServerError(.badMemory, containing: "not sealed") {
            _ = try offender.createFramebuffer(memory: memfd.handle, format: FourCC.xrgb8888.rawValue, width: 64, height: 48, stride: 256)
        }
        try expectStillWorks(bystander, seed: 2, fixture: fixture)
    }

    @Test func aMemfdSmallerThanTheLayoutIsRefused() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        let bystander = try ProducerSetup(try fixture.producer("bystander"))
        let offender = try fixture.producer("small")
        let memfd = try Memfd.create(name: "small", size: 256 * 47)
        try memfd.seal(.shrink)
        expectServerError(.badMemory, containing: "holds 12032 bytes") {
            _ = try offender.createFramebuffer(memory: memfd.handle, format: FourCC.xrgb8888.rawValue, width: 64, height: 48, stride: 256)
        }
        try expectStillWorks(bystander, seed: 3, fixture: fixture)
    }

    @Test func anUnknownFormatIsRefused() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        let bystander = try ProducerSetup(try fixture.producer("bystander"))
        let offender = try fixture.producer("format")
        let buffer = try ProducerBuffer(width: 64, height: 48)
        expectServerError(.unsupportedFormat, containing: "NV12") {
            _ = try offender.createFramebuffer(memory: buffer.memfd.handle, format: FourCC.code("NV12"), width: 64, height: 48, stride: 256)
        }
        try expectStillWorks(bystander, seed: 4, fixture: fixture)
    }

    /// §5.8: "Damage outside the framebuffer is clipped to it": the commit is accepted.
    @Test func damageOutsideTheFramebufferIsClipped() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        let bystander = try ProducerSetup(try fixture.producer("bystander"))
        let producer = try ProducerSetup(try fixture.producer("outside"))
        producer.draw(0, seed: 5)
        try producer.presentAndWait(0, damage: [WireRect(x: 60, y: 40, width: 1000, height: 1000), WireRect(x: -50, y: 500, width: 10, height: 10)])
        #expect(shownFrame(fixture.server, output: producer.output.outputID) == producer.expectedFrame(seed: 5))
        try expectStillWorks(bystander, seed: 6, fixture: fixture)
    }

    @Test func outputsPastThePixelBudgetAreRefusedAndTheConnectionStays() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        let bystander = try ProducerSetup(try fixture.producer("bystander"))
        let offender = try fixture.producer("greedy")
        // 8192x8192 is the whole budget of 2^26 pixels; a second output of any size is one too many.
        _ = try offender.createOutput(name: "big", width: 8192, height: 8192)
        expectServerError(.limitExceeded, containing: "67108864") {
            _ = try offender.createOutput(name: "more", width: 16, height: 16)
        }
        // A request error, not a protocol error: the offender may go on within its budget.
        #expect(try offender.createFramebuffer(try ProducerBuffer(width: 16, height: 16)) > 0)
        try expectStillWorks(bystander, seed: 8, fixture: fixture)
    }

    @Test func aMessageOverTheSizeLimitIsAProtocolError() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        let bystander = try ProducerSetup(try fixture.producer("bystander"))
        let offender = try fixture.producer("huge")
        // A header announcing 70000 bytes: refused before the body is waited for.
        var header: [UInt8] = []
        for byte in withUnsafeBytes(of: UInt32(70_000).littleEndian, Array.init) { header.append(byte) }
        header += [0x32, 0x00, 0, 0, 5, 0, 0, 0]
        try offender.connection.send(header)
        // The length is refused with its first four bytes, before the request id is read: the
        // Error carries id 0 (§4.2), and the server closes the connection.
        do {
            _ = try offender.nextEvent(timeout: 5)
            Issue.record("expected an Error")
        } catch .server(let report) {
            #expect(report.code == .limitExceeded)
            #expect(report.message.contains("70000"), "\(report.message)")
        } catch {
            Issue.record("unexpected \(error)")
        }
        do {
            _ = try offender.nextEvent(timeout: 5)
            Issue.record("expected the connection to close")
        } catch .closed {
        } catch {
            Issue.record("expected the connection to close, got \(error)")
        }
        try expectStillWorks(bystander, seed: 7, fixture: fixture)
    }

    @Test func anotherProducersOutputIsNoSuchObject() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        let bystander = try ProducerSetup(try fixture.producer("bystander"))
        let offender = try ProducerSetup(try fixture.producer("intruder"))
        expectServerError(.noSuchObject, containing: "no such output") {
            _ = try offender.client.request(.createPlane(outputID: bystander.output.outputID))
        }
        let stolen = CommitPlaneState(planeID: bystander.output.primaryPlaneID, framebufferID: offender.framebuffers[0],
                                      source: WireFixedRect(x: 0, y: 0, width: 64 << 16, height: 48 << 16),
                                      destination: WireRect(x: 0, y: 0, width: 64, height: 48))
        do {
            try offender.client.commit(CommitRequest(flags: .pageFlipEvent, planes: [stolen]))
            Issue.record("the commit should be rejected")
        } catch .commitRejected(let report) {
            #expect(report.code == .noSuchObject)
            #expect(report.detail == bystander.output.primaryPlaneID)
        }
        try expectStillWorks(bystander, seed: 8, fixture: fixture)
    }

    @Test func aProducerThatDisconnectsMidMessageHurtsNobody() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        let bystander = try ProducerSetup(try fixture.producer("bystander"))
        let offender = try ProducerSetup(try fixture.producer("quitter"))
        offender.draw(0, seed: 9)
        try offender.presentAndWait(0)
        var buffer = ByteBuffer()
        try buffer.writeDisplayMessage(ClientToServerMessage.createOutput(CreateOutputRequest(
            name: "half", mode: WireMode(width: 8, height: 8, refreshMillihertz: 60_000),
            preferredMode: WireMode(width: 8, height: 8, refreshMillihertz: 60_000))), requestID: 3)
        let bytes = Array(buffer.readableBytesView)
        try offender.client.connection.send(Array(bytes.prefix(bytes.count / 2)))
        offender.client.close()
        try expectStillWorks(bystander, seed: 10, fixture: fixture)
        // The quitter's output stays up with its last frame for the grace period (§12).
        #expect(fixture.server.outputIDs.contains(OutputID(offender.output.outputID)))
        #expect(shownFrame(fixture.server, output: offender.output.outputID) == offender.expectedFrame(seed: 9))
    }

    @Test func somethingBeforeHelloIsAProtocolError() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        let bystander = try ProducerSetup(try fixture.producer("bystander"))
        let raw = try fixture.rawConnection()
        var buffer = ByteBuffer()
        try buffer.writeDisplayMessage(ClientToServerMessage.listOutputs, requestID: 4)
        try raw.send(Array(buffer.readableBytesView))
        var decoder = ServerToClientDecoder()
        var closed = false
        var messages: [DecodedDisplayMessage<ServerToClientMessage>] = []
        while !closed {
            guard let chunk = try raw.receive(maxBytes: 4096, maxFds: 4) else { continue }
            if chunk.isEndOfStream { closed = true; break }
            decoder.append(chunk.bytes)
            while let message = try decoder.next() { messages.append(message) }
        }
        #expect(messages.count == 1)
        if case .error(let report) = messages.first?.message {
            #expect(report.code == .protocolError)
            #expect(messages.first?.requestID == 4)
        } else {
            Issue.record("expected Error, got \(messages)")
        }
        try expectStillWorks(bystander, seed: 11, fixture: fixture)
    }
}
