import Capture
import Logging
import Server

/// How these tests put a device output in front of an RFB viewer: a server on a free port that
/// polls its source 60 times a second and logs warnings only.
enum TestRFBServing {
    static var configuration: ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.sourceFrameRate = 60
        return configuration
    }

    static func logger(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = .warning
        return logger
    }

    static func start(_ source: FrameSource, label: String) async throws -> PortholeServer {
        try await PortholeServer.start(configuration: configuration, source: source, logger: logger(label))
    }
}
