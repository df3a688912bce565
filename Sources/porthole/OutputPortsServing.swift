import DisplayServer
import Geometry
import Logging
import Server

/// `porthole serve --device --output-ports`: every device output on its own RFB port. Output slot
/// i (`OutputSlotTable`) is served on the --listen port + i; the listen port is open from the
/// start with the waiting card, and a further port opens when an output first needs it. With
/// --listen port 0 every port is picked freely. Each output taking a slot is logged as
/// `output NAME on HOST:PORT`.
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
                var ports = [0: primary.boundAddress]
                for await assignment in assignments {
                    if assignment.isNewSlot {
                        let port = configuration.port == 0 ? 0 : configuration.port + assignment.slot
                        do {
                            let companion = try await primary.startCompanion(port: port, source: assignment.source,
                                                                             configuration: configuration, logger: logger)
                            ports[assignment.slot] = companion.boundAddress
                        } catch {
                            logger.error("output \(assignment.outputName) (slot \(assignment.slot)) is not served: \(error)")
                            continue
                        }
                    }
                    if let address = ports[assignment.slot] {
                        logger.info("output \(assignment.outputName) on \(address)")
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
