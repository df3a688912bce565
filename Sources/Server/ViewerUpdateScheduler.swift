import Display
import Geometry
import NIOCore
import Pixels
import RFB
import RFBEncoders

/// What one viewer is owed, and the FramebufferUpdates that pay it: damage from the output merged
/// in a `PendingUpdate`, the requested (or continuous) region, the pointer (as a Cursor
/// pseudo-rectangle or drawn into the picture), size changes and extension confirmations.
///
/// It does no I/O and reads no clock: the connection feeds it events and the time, and writes the
/// messages `nextUpdate(at:)` returns, one at a time (DESIGN.md: at most one update in flight,
/// damage merged meanwhile). Updates are also capped at one per `minimumUpdateInterval` on
/// average (`--max-fps`), two back to back after a pause (`BurstRateLimit`: the second part of a
/// frame that came in two is not held back a whole interval); damage that arrives while the cap
/// holds an update back is merged like damage that arrives while an update is in flight.
struct ViewerUpdateScheduler {
    /// Identifies this viewer in frames (who moved the pointer, who asked for a resize).
    let viewer: ObjectIdentifier
    /// The cap (`minimumUpdateInterval` per update, 1/N s for `--max-fps N`), in nanoseconds of
    /// the NIODeadline clock.
    private var rateLimit: BurstRateLimit<Int64>
    /// The output's rectangles encoded by other viewers (Raw, RRE, Hextile), if sharing is on.
    let sharedRectangles: EncodedRectangleCache?
    private(set) var frame: LiveOutput.Frame?
    private(set) var preferences = EncodingPreferences()
    private(set) var translator = PixelTranslator(format: .xrgb8888)
    private var updateEncoder = FramebufferUpdateEncoder(makeEncoder: EncoderRegistry.make)
    /// JPEG rectangles sent to this viewer so far (Tight with a QualityLevel).
    var jpegRectanglesSent: Int { updateEncoder.jpegRectangles }
    private var pending = PendingUpdate(bounds: .zero)
    private var requested = Region()
    /// The area ContinuousUpdates asked for; while set, changes are sent without requests.
    private(set) var continuousArea: Rect?
    /// Size changes and SetDesktopSize answers: sent in an update of their own.
    private var sizeMessages = PseudoRectangles()
    /// Confirmations of extensions: they lead the next update.
    private var confirmations = PseudoRectangles()
    /// Where the viewer's picture has the pointer drawn into it, as far as we know.
    private var cursorDrawnAt: Rect?
    /// The cursor image serial last sent as a Cursor/XCursor pseudo-rectangle.
    private var cursorSerialSent: Int?
    /// The pointer position last sent as a cursor-position pseudo-rectangle.
    private var cursorPositionSent: Point?
    /// Which tiles the viewer holds lossy (JPEG, for a viewer with a QualityLevel) and when each
    /// is owed its lossless refresh.
    private var lossyTiles = LossyRefreshTracker(bounds: .zero)
    /// Settled lossy tiles handed out for their refresh and not sent yet: sent losslessly.
    private var owedRefresh = Region()
    /// What the source (or the pointer) changed and no update has sent yet: only these changes
    /// delay a lossy tile's refresh, not re-sends asked for by full requests or refreshes.
    private var unsentChanges = Region()

    init(viewer: ObjectIdentifier, minimumUpdateInterval: TimeAmount = .zero, sharedRectangles: EncodedRectangleCache? = nil) {
        self.viewer = viewer
        rateLimit = BurstRateLimit(interval: minimumUpdateInterval.nanoseconds, burst: 2)
        self.sharedRectangles = sharedRectangles
    }

    /// The viewer draws the pointer itself (Cursor or XCursor), so it is not drawn into its picture.
    var viewerDrawsCursor: Bool { preferences.cursor || preferences.xCursor }

    /// Whether an update may be sent now: the viewer asked, or continuous updates are on.
    var isAsking: Bool { !requested.isEmpty || continuousArea != nil }

    // MARK: - Events

    mutating func start(with first: LiveOutput.Frame) {
        frame = first
        pending.reset(bounds: first.pixels.bounds)
    }

    mutating func setPixelFormat(_ format: PixelFormat) { translator = PixelTranslator(format: format) }

    mutating func setEncodings(_ new: EncodingPreferences) {
        let drewCursor = viewerDrawsCursor
        preferences = new
        updateEncoder.configure(new)
        guard let frame, drewCursor != viewerDrawsCursor else { return }
        if viewerDrawsCursor {
            // From now on the viewer draws it: erase ours, send the shape.
            if let drawn = cursorDrawnAt { pending.addDamage(Region(drawn)) }
            cursorSerialSent = nil
            cursorPositionSent = nil
        } else if let footprint = frame.cursor.footprint {
            pending.addDamage(Region(footprint))
        }
    }

    mutating func request(incremental: Bool, rect: Rect) {
        if !incremental {
            pending.addDamage(Region(rect))
            // rfbproto ExtendedDesktopSize: a non-incremental request is answered with the layout.
            if preferences.extendedDesktopSize, let frame {
                sizeMessages.append { $0.writeExtendedDesktopSize(ExtendedDesktopSize(reason: .server, layout: frame.layout)) }
            }
        }
        requested.formUnion(rect)
    }

    mutating func enableContinuousUpdates(_ area: Rect) { continuousArea = area }
    mutating func disableContinuousUpdates() { continuousArea = nil }

    mutating func confirm(_ write: @escaping (inout ByteBuffer) -> Void) { confirmations.append(write) }

    /// The answer to this viewer's SetDesktopSize when it changes nothing or is refused; a granted
    /// change is announced when its frame arrives.
    mutating func answerDesktopSize(status: ExtendedDesktopSize.Status, layout: DesktopLayout) {
        sizeMessages.append { $0.writeExtendedDesktopSize(ExtendedDesktopSize(reason: .thisClient, status: status, layout: layout)) }
    }

    enum FrameOutcome: Equatable { case accepted, resized(DesktopLayout), unsupportedResize(Size) }

    /// A new frame of the output. A size change resets everything the viewer is owed and is
    /// announced with ExtendedDesktopSize (or DesktopSize) in an update of its own.
    mutating func frameArrived(_ new: LiveOutput.Frame, damage: FrameDamage) -> FrameOutcome {
        guard let old = frame else { start(with: new); return .accepted }
        frame = new
        if new.name != old.name, preferences.desktopName {
            let name = new.name
            confirmations.append { $0.writeDesktopName(name) }
        }
        if old.pixels.size != new.pixels.size || old.layout != new.layout {
            if preferences.extendedDesktopSize {
                let reason: ExtendedDesktopSize.Reason = new.resizedBy == viewer ? .thisClient : (new.resizedBy == nil ? .server : .otherClient)
                sizeMessages.append { $0.writeExtendedDesktopSize(ExtendedDesktopSize(reason: reason, layout: new.layout)) }
            } else if preferences.desktopSize {
                sizeMessages.append { $0.writeDesktopSize(new.pixels.size) }
            } else if old.pixels.size != new.pixels.size {
                return .unsupportedResize(new.pixels.size)
            }
            if old.pixels.size != new.pixels.size {
                pending.reset(bounds: new.pixels.bounds)
                unsentChanges = Region()
                owedRefresh = Region()
                cursorDrawnAt = nil
                if !requested.isEmpty { requested = Region(new.pixels.bounds) }
                if let area = continuousArea { continuousArea = area.intersection(new.pixels.bounds) }
            }
            return .resized(new.layout)
        }
        // A viewer that takes no copies is owed only the pixels that differ; one that does takes
        // the moves as copies only when they were verified.
        let owed = !updateEncoder.copyRectAllowed ? damage.withoutCopies : damage.movesVerified ? damage : damage.withoutMoves
        pending.add(owed)
        unsentChanges.formUnion(owed.region.union(Region(rects: owed.moves.map(\.destination))))
        // The viewer that moved the pointer knows where it is; nobody echoes it back.
        if new.cursorMovedBy == viewer { cursorPositionSent = new.cursor.position }
        if !viewerDrawsCursor, old.cursor != new.cursor {
            var stale = Region(new.cursor.footprint ?? .zero)
            if let drawn = cursorDrawnAt { stale.formUnion(drawn) }
            pending.addDamage(stale)
            unsentChanges.formUnion(stale)
        }
        return .accepted
    }

    // MARK: - Updates

    /// What to do about the next update.
    enum UpdateStep {
        /// Write this FramebufferUpdate.
        case send(ByteBuffer)
        /// Something is due but the previous update was too recent: ask again at this time.
        case wait(until: NIODeadline)
        /// Nothing is due; a new event (a frame, a request) may change that.
        case idle
    }

    /// The next FramebufferUpdate to write at `now`, if one is due and allowed by the spacing. Call
    /// it only when the previous update has left the socket.
    /// Lossy tiles that have settled are added to the damage here, so their lossless refresh needs
    /// no new damage from the source; while some are still settling, an otherwise idle viewer is
    /// told to wait until the next one settles.
    mutating func nextUpdate(at now: NIODeadline) -> UpdateStep {
        guard isAsking, let frame else { return .idle }
        lossyTiles.resize(to: frame.pixels.bounds)
        let settled = lossyTiles.takeSettled(at: Self.trackerTime(now))
        pending.addDamage(settled)
        owedRefresh.formUnion(settled)
        guard isDue(frame) else { return lossyTiles.nextSettleTime.map { .wait(until: Self.deadline($0)) } ?? .idle }
        let nanoseconds = Int64(now.uptimeNanoseconds), earliest = rateLimit.earliest(from: nanoseconds)
        if earliest > nanoseconds { return .wait(until: .uptimeNanoseconds(UInt64(earliest))) }
        guard let message = takeUpdate(frame, at: now) else { return .idle }
        rateLimit.record(at: nanoseconds)
        return .send(message)
    }

    /// Whether `takeUpdate` would produce an update now: the same conditions, without taking
    /// anything.
    private func isDue(_ frame: LiveOutput.Frame) -> Bool {
        if !sizeMessages.isEmpty || !confirmations.isEmpty { return true }
        if viewerDrawsCursor {
            if cursorSerialSent != frame.cursor.imageSerial { return true }
            if preferences.cursorPosition, let position = frame.cursor.position, position != cursorPositionSent { return true }
        }
        let area = continuousArea.map { Region($0) } ?? requested
        if let move = pending.move, !move.region.intersection(area).isEmpty { return true }
        return !pending.damage.intersection(area).isEmpty
    }

    /// Takes what is owed inside the asked-for area and encodes it, or returns nil when nothing is.
    private mutating func takeUpdate(_ frame: LiveOutput.Frame, at now: NIODeadline) -> ByteBuffer? {
        if !sizeMessages.isEmpty {
            // An update of their own, which does not use up the viewer's request.
            defer { sizeMessages.removeAll() }
            return FramebufferUpdateEncoder.noDataUpdate(sizeMessages)
        }
        var leading = confirmations
        addCursorRectangles(for: frame, to: &leading)
        let area = continuousArea.map { Region($0) } ?? requested
        var (copies, damage) = pending.take(requested: area)
        guard !copies.isEmpty || !damage.isEmpty || !leading.isEmpty else { return nil }
        requested = Region()
        confirmations.removeAll()
        let pixels = viewerDrawsCursor ? frame.pixels : pictureWithCursor(frame, copies: copies, damage: &damage)
        let copiedExactly = updateEncoder.copyRectAllowed
        let copied = Region(rects: copies.map(\.destination))
        let sent = copiedExactly ? damage : damage.union(copied)
        let changed = sent.intersection(unsentChanges)
        unsentChanges.subtract(sent.union(copied))
        lossyTiles.recordUpdate(changed: changed, copies: copiedExactly ? copies : [], at: Self.trackerTime(now))
        // Lossy wherever the content suits, except the refresh of settled lossy tiles.
        let lossyArea = owedRefresh.isEmpty ? nil : Region(frame.pixels.bounds).subtracting(owedRefresh)
        owedRefresh.subtract(sent)
        let translator = translator
        // Where the cursor may be drawn into this viewer's pixels, they are its own: not shared.
        let sharing = sharedRectangles.map {
            SharedRectangles(cache: $0, sequence: frame.sequence, format: translator.format, encoding: updateEncoder.preferredEncoding,
                             privateArea: viewerDrawsCursor ? nil : frame.cursor.footprint)
        }
        let message = pixels.withView { view in
            updateEncoder.encodeUpdate(copies: copies, damage: damage, frame: view, translator: translator, leading: leading, sharing: sharing,
                                       lossyArea: lossyArea)
        }
        lossyTiles.markLossy(updateEncoder.takeLossyAreas(), at: Self.trackerTime(now))
        return message
    }

    /// The tracker's time: uptime as a `Duration`.
    private static func trackerTime(_ deadline: NIODeadline) -> Duration { .nanoseconds(Int64(deadline.uptimeNanoseconds)) }

    private static func deadline(_ time: Duration) -> NIODeadline {
        let (seconds, attoseconds) = time.components
        return .uptimeNanoseconds(UInt64(max(0, seconds * 1_000_000_000 + attoseconds / 1_000_000_000)))
    }

    /// Cursor (or XCursor) when the image changed, and the pointer position when someone else
    /// moved it and the viewer takes positions (rfbproto "Cursor", "XCursor", "Cursor position").
    private mutating func addCursorRectangles(for frame: LiveOutput.Frame, to leading: inout PseudoRectangles) {
        guard viewerDrawsCursor else { return }
        let cursor = frame.cursor
        if cursorSerialSent != cursor.imageSerial {
            cursorSerialSent = cursor.imageSerial
            if preferences.cursor {
                let shape = CursorShape(cursor.image)
                let translator = translator
                leading.append { $0.writeCursor(shape, translator: translator) }
            } else {
                let shape = XCursorShape(cursor.image)
                leading.append { $0.writeXCursor(shape) }
            }
        }
        if preferences.cursorPosition, let position = cursor.position, position != cursorPositionSent {
            cursorPositionSent = position
            leading.append { $0.writeCursorPosition(position) }
        }
    }

    /// The frame as this viewer must see it, with the pointer drawn in, and the damage grown by
    /// what the copies disturb: a copy carries drawn cursor pixels along (its ghost must be
    /// repainted) and may paint over the drawn cursor (which must be drawn again).
    private mutating func pictureWithCursor(_ frame: LiveOutput.Frame, copies: [CopyMove], damage: inout Region) -> PixelBuffer {
        guard let position = frame.cursor.position, let whole = frame.cursor.footprint else { return frame.pixels }
        let bounds = frame.pixels.bounds
        let footprint = whole.intersection(bounds)
        for copy in copies {
            if let drawn = cursorDrawnAt {
                let ghost = drawn.intersection(Rect(origin: copy.source, size: copy.destination.size))
                damage.formUnion(ghost.offsetBy(dx: copy.dx, dy: copy.dy).intersection(bounds))
            }
            damage.formUnion(footprint.intersection(copy.destination))
        }
        var stillDrawn = Region()
        if let drawn = cursorDrawnAt, !damage.contains(drawn) { stillDrawn.formUnion(drawn) }
        var pixels = frame.pixels
        if !damage.intersection(footprint).isEmpty {
            frame.cursor.image.draw(into: &pixels, at: position, clip: footprint)
            stillDrawn.formUnion(footprint)
        }
        cursorDrawnAt = stillDrawn.isEmpty ? nil : stillDrawn.bounds
        return pixels
    }
}
