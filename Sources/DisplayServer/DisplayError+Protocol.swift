import Display
import DisplayProtocol

extension DisplayError {
    /// The error code (docs/protocol.md §9) and detail (§7.2: the id of the object at fault) a
    /// client gets for a request the device refused. The text is the error's description.
    var report: ErrorReport {
        let (code, detail): (ProtocolErrorCode, UInt32)
        switch self {
        case .noSuchClient(let c): (code, detail) = (.noSuchObject, c.rawValue)
        case .notAProducer(let c): (code, detail) = (.permissionDenied, c.rawValue)
        case .noSuchOutput(let o): (code, detail) = (.noSuchObject, o.rawValue)
        case .noSuchPlane(let p): (code, detail) = (.noSuchObject, p.rawValue)
        case .noSuchFramebuffer(let f): (code, detail) = (.noSuchObject, f.rawValue)
        case .leaseTokenInUse: (code, detail) = (.invalidArgument, 0)
        case .unknownFormat(let f, _), .unsupportedModifier(let f, _): (code, detail) = (.unsupportedFormat, f.rawValue)
        case .emptyFramebuffer(let f, _, _), .negativeOffset(let f, _), .strideTooSmall(let f, _, _, _),
             .framebufferInUse(let f):
            (code, detail) = (.invalidArgument, f.rawValue)
        case .framebufferTooLarge(let f, _, _, _): (code, detail) = (.limitExceeded, f.rawValue)
        case .memoryTooSmall(let f, _, _): (code, detail) = (.badMemory, f.rawValue)
        case .tooManyOutputs(let c, _), .tooManyFramebuffers(let c, _), .tooManyPixels(let c, _, _): (code, detail) = (.limitExceeded, c.rawValue)
        case .tooManyPixelsOnDevice: (code, detail) = (.limitExceeded, 0)
        case .tooManyPlanes(let o, _): (code, detail) = (.limitExceeded, o.rawValue)
        case .tooManyMoves(let p, _, _): (code, detail) = (.limitExceeded, p.rawValue)
        case .invalidMode(let o, _, _), .positionOutOfRange(let o, _): (code, detail) = (.invalidArgument, o?.rawValue ?? 0)
        case .noModes: (code, detail) = (.invalidArgument, 0)
        case .planeInUse(let p), .notAnOverlay(let p), .duplicatePlane(let p), .emptySource(let p),
             .sourceOutsideFramebuffer(let p, _, _, _, _), .emptyDestination(let p, _), .destinationOutOfRange(let p, _, _),
             .cursorTooLarge(let p, _, _), .zPositionOutOfRange(let p, _), .hotspotOutOfRange(let p, _),
             .damageOutsideFramebuffer(let p, _, _), .moveOutsideFramebuffer(let p, _, _):
            (code, detail) = (.invalidArgument, p.rawValue)
        case .duplicateOutput(let o), .disabledOutputShowsFramebuffer(let o, _, _), .enabledOutputWithoutPrimary(let o):
            (code, detail) = (.invalidArgument, o.rawValue)
        }
        return ErrorReport(code: code, detail: detail, message: description)
    }
}

extension ErrorReport {
    /// An error whose text is cut to the protocol's 1024 bytes (docs/protocol.md §3.5), on a
    /// character boundary.
    static func bounded(_ code: ProtocolErrorCode, detail: UInt32 = 0, _ message: String) -> ErrorReport {
        ErrorReport(code: code, detail: detail, message: message).bounded()
    }

    func bounded(limit: Int = DisplayProtocolLimits.version1.maximumErrorMessageBytes) -> ErrorReport {
        guard message.utf8.count > limit else { return self }
        var text = ""
        var used = 0
        for character in message {
            let size = character.utf8.count
            if used + size > limit - 3 { break }
            text.append(character)
            used += size
        }
        return ErrorReport(code: code, detail: detail, message: text + "...")
    }
}
