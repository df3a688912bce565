import NIOCore

/// The first handler of a browser's connection that `ThreadedViewerListener` handed to NIO: the
/// bytes read while telling the transport apart (the start of the HTTP upgrade request) are
/// passed on right after the channel's activation, before anything NIO reads itself.
final class EarlyBytesReplayer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private var early: ByteBuffer?

    init(_ early: ByteBuffer) {
        self.early = early
    }

    func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        if let early, early.readableBytes > 0 {
            self.early = nil
            context.fireChannelRead(wrapInboundOut(early))
            context.fireChannelReadComplete()
        }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}
