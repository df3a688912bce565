import Display
import DisplayProtocol
import Geometry

extension OutputRequest {
    /// The model's request for a wire CreateOutput (docs/protocol.md §5.2). The model starts an
    /// output in its first mode, so the current mode comes first; the preferred mode follows when
    /// it differs.
    init(wire request: CreateOutputRequest) {
        func mode(_ wire: WireMode) -> DisplayMode {
            DisplayMode(width: Int(wire.width), height: Int(wire.height), refreshMillihertz: Int(wire.refreshMillihertz))
        }
        var modes = [mode(request.mode)]
        if request.preferredMode != request.mode { modes.append(mode(request.preferredMode)) }
        self.init(name: request.name, modes: modes, position: Point(x: Int(request.x), y: Int(request.y)),
                  physicalSize: Size(width: Int(request.physicalWidthMillimetres), height: Int(request.physicalHeightMillimetres)))
    }
}
