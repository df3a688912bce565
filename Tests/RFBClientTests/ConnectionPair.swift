import Geometry
import NIOCore
import Pixels
import PortholeTestSupport
import RFB
import RFBClient
import VNCAuth

/// A server (handshake, then session) and a client wired together in memory. Bytes travel in
/// random splits chosen by a seeded generator, so every run of a test is the same run.
struct ConnectionPair {
    var server: ServerHandshakeStateMachine
    var session: ServerSessionStateMachine?
    var client: ClientStateMachine
    var random: SplitMix
    var framebufferSize = Size(width: 64, height: 48)
    var desktopName = "Porthole test"

    var toClient: [UInt8] = []
    var toServer: [UInt8] = []
    var serverClosed: String?
    var serverHandshakeActions: [ServerHandshakeAction] = []
    var sessionActions: [ServerSessionAction] = []
    var clientActions: [ClientAction] = []

    static let challenge: [UInt8] = (0..<16).map { UInt8($0 * 7 + 3) }

    init(serverPassword: [UInt8]?, clientPassword: [UInt8]?, clientVersion: ProtocolVersion,
         authenticationAllowed: Bool = true, seed: UInt64, decoders: [Encoding: any RectangleDecoder] = [.raw: TestRawDecoder()]) {
        let security: ServerSecurity = serverPassword.map { password in
            .vncAuthentication { VNCAuthentication.verify(response: $0, challenge: $1, password: password) }
        } ?? .none
        server = ServerHandshakeStateMachine(security: security, challenge: Self.challenge, authenticationAllowed: authenticationAllowed)
        client = ClientStateMachine(configuration: ClientConfiguration(password: clientPassword, highestVersion: clientVersion),
                                    decoders: decoders)
        random = SplitMix(seed: seed)
        handleServer(server.start())
    }

    var clientError: ClientError? {
        for case .error(let error) in clientActions { return error }
        return nil
    }

    /// Moves bytes both ways, in random pieces, until neither side has anything left to say.
    mutating func run() {
        while !toClient.isEmpty || (!toServer.isEmpty && serverClosed == nil) {
            if !toClient.isEmpty { deliverToClient(count: piece(of: toClient.count)) }
            if !toServer.isEmpty && serverClosed == nil { deliverToServer(count: piece(of: toServer.count)) }
        }
    }

    /// Sends bytes the client produced on its own (a request, an event) to the server.
    mutating func clientSends(_ bytes: ByteBuffer) {
        toServer += Array(bytes.readableBytesView)
        run()
    }

    /// Sends bytes the server edge produced on its own (an update) to the client.
    mutating func serverSends(_ bytes: ByteBuffer) {
        toClient += Array(bytes.readableBytesView)
        run()
    }

    private mutating func piece(of count: Int) -> Int {
        Int(random.next() % UInt64(min(count, 40))) + 1
    }

    private mutating func deliverToClient(count: Int) {
        let chunk = Array(toClient.prefix(count))
        toClient.removeFirst(count)
        for action in client.receive(ByteBuffer(bytes: chunk)) {
            clientActions.append(action)
            if case .send(let bytes) = action { toServer += Array(bytes.readableBytesView) }
        }
    }

    private mutating func deliverToServer(count: Int) {
        let chunk = ByteBuffer(bytes: toServer.prefix(count))
        toServer.removeFirst(count)
        if session != nil {
            handleSession(session!.receive(chunk))
        } else {
            handleServer(server.receive(chunk))
        }
    }

    private mutating func handleServer(_ actions: [ServerHandshakeAction]) {
        for action in actions {
            serverHandshakeActions.append(action)
            switch action {
            case .send(let bytes): toClient += Array(bytes.readableBytesView)
            case .close(let reason): serverClosed = reason
            case .authenticationSucceeded, .authenticationFailed: break
            case .completed(_, _, let remaining):
                // What the edge does: ServerInit with the current size, then the session takes over.
                var serverInit = ByteBuffer()
                serverInit.writeServerInit(size: framebufferSize, format: .xrgb8888, name: desktopName)
                toClient += Array(serverInit.readableBytesView)
                session = ServerSessionStateMachine(framebufferSize: framebufferSize, supportedEncodings: [.raw])
                handleSession(session!.receive(remaining))
            }
        }
    }

    private mutating func handleSession(_ actions: [ServerSessionAction]) {
        for action in actions {
            sessionActions.append(action)
            if case .close(let reason) = action { serverClosed = reason }
        }
    }
}
