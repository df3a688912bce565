import Foundation

/// The pure rules of the `--web` listener: which request paths map to which files under the noVNC
/// root, what Content-Type each file gets, and the query that makes noVNC's `vnc.html` connect to
/// the RFB port.
enum NoVNCSite {
    /// The decoded path segments of a request target (query and fragment dropped), or nil when the
    /// target could leave the root: a `..` or `.` segment (also percent-encoded), a backslash, a NUL,
    /// an empty segment (`//`) or a target that is not an absolute path. The web root is only ever
    /// joined with segments that passed this check, so no request reaches a file outside it.
    static func sanitizedSegments(of target: String) -> [String]? {
        var path = Substring(target)
        if let end = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = path[..<end] }
        guard path.hasPrefix("/") else { return nil }
        let raw = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        if raw == [""] { return [] }
        var segments: [String] = []
        for part in raw {
            guard let segment = String(part).removingPercentEncoding, !segment.isEmpty, segment != ".", segment != "..",
                  !segment.contains("/"), !segment.contains("\\"), !segment.contains("\0") else { return nil }
            segments.append(segment)
        }
        return segments
    }

    /// The Content-Type for a file name, by extension. Module scripts need a JavaScript type: browsers
    /// refuse to run `import`ed files served as anything else (noVNC is all ES modules).
    static func contentType(forFileNamed name: String) -> String {
        let ext = name.split(separator: ".").last.map { $0.lowercased() } ?? ""
        guard name.contains(".") else { return "application/octet-stream" }
        switch ext {
        case "html", "htm": return "text/html; charset=utf-8"
        case "js", "mjs": return "text/javascript; charset=utf-8"
        case "css": return "text/css; charset=utf-8"
        case "svg": return "image/svg+xml"
        case "png": return "image/png"
        case "ico": return "image/x-icon"
        case "json": return "application/json"
        case "txt": return "text/plain; charset=utf-8"
        case "woff": return "font/woff"
        case "woff2": return "font/woff2"
        case "ttf": return "font/ttf"
        case "oga", "ogg": return "audio/ogg"
        case "mp3": return "audio/mpeg"
        default: return "application/octet-stream"
        }
    }

    /// The query for `vnc.html` that connects at once to the RFB port over WebSocket. `host` is the
    /// RFB host the browser should dial; IPv6 addresses get brackets, because noVNC pastes the host
    /// into a `ws://HOST:PORT/PATH` URL. The path is empty: the RFB port accepts any.
    static func viewerQuery(rfbHost host: String, rfbPort port: Int) -> String {
        let dialled = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+?#")
        let encoded = dialled.addingPercentEncoding(withAllowedCharacters: allowed) ?? dialled
        return "autoconnect=true&host=\(encoded)&port=\(port)&path="
    }

    /// The host a browser should dial for the RFB port: the bound host, unless the RFB listener is on
    /// every interface, in which case the browser uses the host name it reached the web page by
    /// (the request's Host header, RFC 9110 §7.2).
    static func rfbHost(bound: String, requestHost: String?) -> String {
        guard bound == "0.0.0.0" || bound == "::" || bound.isEmpty else { return bound }
        guard let requestHost, !requestHost.isEmpty else { return bound == "::" ? "::1" : "127.0.0.1" }
        if requestHost.hasPrefix("["), let close = requestHost.firstIndex(of: "]") {
            return String(requestHost[requestHost.index(after: requestHost.startIndex)..<close])
        }
        if let colon = requestHost.lastIndex(of: ":"), requestHost.firstIndex(of: ":") == colon {
            return String(requestHost[..<colon])
        }
        return requestHost
    }

    /// The page served in place of noVNC when it is not installed (with status 200, so a browser
    /// shows it as it is).
    static func installHint(root: String) -> String {
        """
        <!DOCTYPE html>
        <html><head><meta charset="utf-8"><title>Porthole: noVNC is not installed</title></head>
        <body><h1>noVNC is not installed</h1>
        <p>Porthole's web viewer serves noVNC from <code>\(root)</code>, and that directory does not exist on the server.</p>
        <p>Install it on the server with <code>apt-get install novnc</code> (Debian and Ubuntu), then reload this page.</p>
        </body></html>

        """
    }
}
