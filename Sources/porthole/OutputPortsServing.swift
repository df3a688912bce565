import DisplayServer
import Geometry
import Logging
import Server

/// `porthole serve --device --output-ports`: every device output on its own RFB port. Output slot
/// i (`OutputSlotTable`) is served on the --listen port + i; the listen port is open from the
/// start with the waiting card, and a further port opens when an output first needs it. With
/// --listen port 0 every port is picked freely. Each output taking a slot is logged as
/// `output NAME on HOST:PORT`, with `--web` followed by `, web viewer at URL` (noVNC on that port).
struct OutputPortsServing {
    let device: DeviceServer
    let configuration: ServerConfiguration
    let waitingCardSize: Size

    func serve() async throws {
        let (assignments, continuation) = AsyncStream.makeStream(of: OutputSlotSources.Assignment.self)
        let slots = OutputSlotSources(server: device, waitingCardSize: waitingCardSize) { continuation.yield($0) }
        let configuration = configuration
        try await PortholeServer.serve(configuration: configuration, source: slots.first) { primary, logger in
            // One task handles assignments in order, so a slot's listener is open before its line is logged.
            Task {
                var servers = [0: primary]
                for await assignment in assignments {
                    if assignment.isNewSlot {
                        let port = configuration.port == 0 ? 0 : configuration.port + assignment.slot
                        do {
                            servers[assignment.slot] = try await primary.startCompanion(port: port, source: assignment.source,
                                                                                        configuration: configuration, logger: logger)
                        } catch {
                            logger.error("output \(assignment.outputName) (slot \(assignment.slot)) is not served: \(error)")
                            continue
                        }
                    }
                    if let server = servers[assignment.slot] {
                        let web = server.webViewerURL.map { ", web viewer at \($0)" } ?? ""
                        logger.info("output \(assignment.outputName) on \(server.boundAddress)\(web)")
                    } else {
                        logger.error("output \(assignment.outputName) (slot \(assignment.slot)) is not served: its port could not be opened")
                    }
                }
            }
        }
        continuation.finish()
        withExtendedLifetime(slots) {}
    }
}
