import Logging
import NIOCore
import SystemIO

/// `AcceptBackoff` for a listening channel in NIO: when accept(2) fails for want of a resource,
/// the channel stops reading (autoRead off, which takes its socket out of epoll) for the pause,
/// and the failure is logged as the event-thread listeners log it.
///
/// Why not NIO's `AcceptBackoffHandler`: it delays the channel's next `read()`, but in NIO 2.101
/// a server channel whose first accept of a read fails keeps its read pending and its socket in
/// epoll, so the event loop is woken at once, again and again. Measured: `porthole serve` under
/// `ulimit -n 40` with 60 connections waiting spun an event loop at 100% of a core, 6.1 million
/// failed accepts in 8 s with that handler in place, and silently without it.
final class ListeningChannelBackoff: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = Channel
    typealias InboundOut = Channel

    private var backoff = AcceptBackoff()
    private var resume: Scheduled<Void>?
    private let logger: Logger
    /// What the listener accepts, for the log ("viewers").
    private let what: String
    /// Where it listens, known once the channel is bound.
    private var address = "its port"

    init(logger: Logger, what: String) {
        self.logger = logger
        self.what = what
    }

    func channelActive(context: ChannelHandlerContext) {
        if let local = context.channel.localAddress { address = "\(local.ipAddress ?? "\(local)"):\(local.port ?? 0)" }
        context.fireChannelActive()
    }

    /// An accepted connection on its way to the bootstrap's child initializer.
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if let failures = backoff.accepted() {
            logger.notice("accepting \(what) on \(address) again, after \(failures) failed attempts")
        }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        guard let ioError = error as? IOError, !AcceptBackoff.isTransient(errno: ioError.errnoCode) else {
            context.fireErrorCaught(error)
            return
        }
        let pause = backoff.failed(at: NIODeadline.now().uptimeNanoseconds)
        if pause.report {
            logger.error("cannot accept \(what) on \(address): \(error); waiting connections stay queued, trying again in \(pause.nanoseconds / 1_000_000) ms")
        }
        guard resume == nil, let options = context.channel.syncOptions else { return }
        try? options.setOption(ChannelOptions.autoRead, value: false)
        resume = context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(pause.nanoseconds))) { [self] in
            resume = nil
            // Reading again registers the socket with epoll; connections that waited are
            // accepted at once, or the next failure pauses again.
            try? context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: true)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        resume?.cancel()
        resume = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        resume?.cancel()
        resume = nil
        context.fireChannelInactive()
    }
}
