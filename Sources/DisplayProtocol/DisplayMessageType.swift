/// The u16 type field of a message header (docs/protocol.md §3 "Framing", §5–§7 for each type).
///
/// Client-to-server types have the high bit clear, server-to-client types have it set.
public struct DisplayMessageType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16

    public init(rawValue: UInt16) { self.rawValue = rawValue }

    // Client to server (§5 common and producer requests, §6 consumer requests).
    public static let hello = DisplayMessageType(rawValue: 0x0001)
    public static let createOutput = DisplayMessageType(rawValue: 0x0010)
    public static let destroyOutput = DisplayMessageType(rawValue: 0x0011)
    public static let createPlane = DisplayMessageType(rawValue: 0x0012)
    public static let destroyPlane = DisplayMessageType(rawValue: 0x0013)
    public static let createFramebuffer = DisplayMessageType(rawValue: 0x0014)
    public static let destroyFramebuffer = DisplayMessageType(rawValue: 0x0015)
    public static let commit = DisplayMessageType(rawValue: 0x0016)
    public static let setFlipEventFD = DisplayMessageType(rawValue: 0x0017)
    public static let listOutputs = DisplayMessageType(rawValue: 0x0020)
    public static let subscribe = DisplayMessageType(rawValue: 0x0021)
    public static let unsubscribe = DisplayMessageType(rawValue: 0x0022)
    public static let frameReleased = DisplayMessageType(rawValue: 0x0023)
    public static let keyInput = DisplayMessageType(rawValue: 0x0030)
    public static let pointerInput = DisplayMessageType(rawValue: 0x0031)
    public static let setClipboardText = DisplayMessageType(rawValue: 0x0032)
    public static let requestLayout = DisplayMessageType(rawValue: 0x0033)

    // Server to client (§7).
    public static let welcome = DisplayMessageType(rawValue: 0x8001)
    public static let error = DisplayMessageType(rawValue: 0x8002)
    public static let done = DisplayMessageType(rawValue: 0x8003)
    public static let outputCreated = DisplayMessageType(rawValue: 0x8010)
    public static let planeCreated = DisplayMessageType(rawValue: 0x8011)
    public static let framebufferCreated = DisplayMessageType(rawValue: 0x8012)
    public static let commitAccepted = DisplayMessageType(rawValue: 0x8013)
    public static let commitRejected = DisplayMessageType(rawValue: 0x8014)
    public static let pageFlip = DisplayMessageType(rawValue: 0x8020)
    public static let release = DisplayMessageType(rawValue: 0x8021)
    public static let layoutRequest = DisplayMessageType(rawValue: 0x8022)
    public static let keyEvent = DisplayMessageType(rawValue: 0x8023)
    public static let pointerEvent = DisplayMessageType(rawValue: 0x8024)
    public static let clipboardText = DisplayMessageType(rawValue: 0x8025)
    public static let outputRemoved = DisplayMessageType(rawValue: 0x8026)
    public static let outputs = DisplayMessageType(rawValue: 0x8030)
    public static let subscribed = DisplayMessageType(rawValue: 0x8031)
    public static let scanoutBuffers = DisplayMessageType(rawValue: 0x8032)
    public static let frameReady = DisplayMessageType(rawValue: 0x8033)
    public static let cursorImage = DisplayMessageType(rawValue: 0x8034)

    /// Every type a client may send, in the order docs/protocol.md lists them.
    public static let clientToServer: [DisplayMessageType] = [
        .hello, .createOutput, .destroyOutput, .createPlane, .destroyPlane, .createFramebuffer,
        .destroyFramebuffer, .commit, .setFlipEventFD, .listOutputs, .subscribe, .unsubscribe,
        .frameReleased, .keyInput, .pointerInput, .setClipboardText, .requestLayout,
    ]

    /// Every type a server may send, in the order docs/protocol.md lists them.
    public static let serverToClient: [DisplayMessageType] = [
        .welcome, .error, .done, .outputCreated, .planeCreated, .framebufferCreated, .commitAccepted,
        .commitRejected, .pageFlip, .release, .layoutRequest, .keyEvent, .pointerEvent, .clipboardText,
        .outputRemoved, .outputs, .subscribed, .scanoutBuffers, .frameReady, .cursorImage,
    ]

    /// The name docs/protocol.md gives the type, or its number in hex.
    public var name: String {
        switch self {
        case .hello: return "Hello"
        case .createOutput: return "CreateOutput"
        case .destroyOutput: return "DestroyOutput"
        case .createPlane: return "CreatePlane"
        case .destroyPlane: return "DestroyPlane"
        case .createFramebuffer: return "CreateFramebuffer"
        case .destroyFramebuffer: return "DestroyFramebuffer"
        case .commit: return "Commit"
        case .setFlipEventFD: return "SetFlipEventFD"
        case .listOutputs: return "ListOutputs"
        case .subscribe: return "Subscribe"
        case .unsubscribe: return "Unsubscribe"
        case .frameReleased: return "FrameReleased"
        case .keyInput: return "KeyInput"
        case .pointerInput: return "PointerInput"
        case .setClipboardText: return "SetClipboardText"
        case .requestLayout: return "RequestLayout"
        case .welcome: return "Welcome"
        case .error: return "Error"
        case .done: return "Done"
        case .outputCreated: return "OutputCreated"
        case .planeCreated: return "PlaneCreated"
        case .framebufferCreated: return "FramebufferCreated"
        case .commitAccepted: return "CommitAccepted"
        case .commitRejected: return "CommitRejected"
        case .pageFlip: return "PageFlip"
        case .release: return "Release"
        case .layoutRequest: return "LayoutRequest"
        case .keyEvent: return "KeyEvent"
        case .pointerEvent: return "PointerEvent"
        case .clipboardText: return "ClipboardText"
        case .outputRemoved: return "OutputRemoved"
        case .outputs: return "Outputs"
        case .subscribed: return "Subscribed"
        case .scanoutBuffers: return "ScanoutBuffers"
        case .frameReady: return "FrameReady"
        case .cursorImage: return "CursorImage"
        default: return hexDescription
        }
    }

    /// The type as `0x` and four hex digits, the way docs/protocol.md writes it.
    public var hexDescription: String {
        let hex = String(rawValue, radix: 16)
        return "0x" + String(repeating: "0", count: 4 - hex.count) + hex
    }

    public var description: String { "\(name) (\(hexDescription))" }
}
