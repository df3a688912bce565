/// The pixels the server holds for each client and for all (`DeviceLimits.maximumPixelsPerClient`,
/// `maximumPixels`).
extension Device {
    /// Pixels held for `client`'s outputs and copy-path planes once the pending commits land,
    /// with `flips` (a commit being validated) in place of the pending state of the outputs they
    /// name. Per output and plane the larger of what is on screen and what comes next counts,
    /// because the server holds the old picture or copy until the frame tick replaces it.
    ///
    /// An output's mode counts whether or not the output is enabled: it is one commit away from
    /// being composed at that size.
    ///
    /// With `client` nil, the pixels held for every client.
    func heldPixels(of client: ClientID?, with flips: [OutputID: PendingFlip] = [:]) -> Int {
        var total = 0
        for output in outputsByID.values where client == nil || output.owner == client {
            let next = flips[output.id] ?? pendingByOutput[output.id]
            total += max(output.configuration.mode.pixels, next?.configuration.mode.pixels ?? 0)
            for planeID in planeIDsByOutput[output.id] ?? [] {
                let onScreen = planeCopies[planeID].map { $0.width * $0.height } ?? 0
                let state = next?.planes[planeID] ?? planesByID[planeID]?.state
                let coming = state?.framebuffer.flatMap { framebuffersByID[$0] }.map { $0.path == .copy ? $0.width * $0.height : 0 } ?? 0
                total += max(onScreen, coming)
            }
        }
        return total
    }

    /// Throws `tooManyPixels` when `client`'s pixels, with `flips` in place and `added` more,
    /// are more than one client may have held, or make the device's total more than its own limit.
    func checkPixelBudget(of client: ClientID, with flips: [OutputID: PendingFlip] = [:], adding added: Int = 0) throws(DisplayError) {
        let needed = heldPixels(of: client, with: flips) + added
        guard needed <= limits.maximumPixelsPerClient else {
            throw .tooManyPixels(client, needed: needed, maximum: limits.maximumPixelsPerClient)
        }
        let total = heldPixels(of: nil, with: flips) + added
        guard total <= limits.maximumPixels else { throw .tooManyPixelsOnDevice(needed: total, maximum: limits.maximumPixels) }
    }
}
