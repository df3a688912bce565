import NIOCore

/// The listening socket of one output's RFB port: in NIO, or on the display device's thread
/// (`ThreadedViewerListener`, when `ServerConfiguration.viewerThread` is set).
enum RFBListener {
    case nio(Channel)
    case threaded(ThreadedViewerListener)

    var localAddress: SocketAddress? {
        switch self {
        case .nio(let channel): return channel.localAddress
        case .threaded(let listener): return listener.localAddress
        }
    }

    func close() async {
        switch self {
        case .nio(let channel): try? await channel.close()
        case .threaded(let listener): listener.close()
        }
    }

    var closeFuture: EventLoopFuture<Void> {
        switch self {
        case .nio(let channel): return channel.closeFuture
        case .threaded(let listener): return listener.closeFuture
        }
    }
}
