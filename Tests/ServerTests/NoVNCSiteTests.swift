import Testing
@testable import Server

struct NoVNCSiteTests {
    @Test(arguments: [
        ("/", [String]()), ("/vnc.html", ["vnc.html"]), ("/vnc.html?autoconnect=true&port=1", ["vnc.html"]),
        ("/app/ui.js", ["app", "ui.js"]), ("/app/images/icons/novnc-32x32.png#x", ["app", "images", "icons", "novnc-32x32.png"]),
        ("/a%20b.js", ["a b.js"]),
    ])
    func acceptsPathsUnderTheRoot(target: String, segments: [String]) {
        #expect(NoVNCSite.sanitizedSegments(of: target) == segments)
    }

    @Test(arguments: [
        "/../etc/passwd", "/app/../../etc/passwd", "/%2e%2e/etc/passwd", "/app/%2E%2E/%2e%2e/x", "/.", "/./vnc.html",
        "/app/%2fetc", "/a%5c..%5cb", "/a\\b", "//etc/passwd", "/app//ui.js", "vnc.html", "", "http://evil/x", "/a%00.js", "/%zz",
    ])
    func refusesPathsThatCouldLeaveTheRoot(target: String) {
        #expect(NoVNCSite.sanitizedSegments(of: target) == nil)
    }

    @Test(arguments: [
        ("vnc.html", "text/html; charset=utf-8"), ("ui.js", "text/javascript; charset=utf-8"), ("base.css", "text/css; charset=utf-8"),
        ("handle.svg", "image/svg+xml"), ("novnc-32x32.png", "image/png"), ("favicon.ico", "image/x-icon"),
        ("package.json", "application/json"), ("README", "application/octet-stream"), ("UI.JS", "text/javascript; charset=utf-8"),
        ("bell.oga", "audio/ogg"), ("archive.tar", "application/octet-stream"),
    ])
    func contentTypes(name: String, type: String) {
        #expect(NoVNCSite.contentType(forFileNamed: name) == type)
    }

    @Test func viewerQueryConnectsToTheRFBPort() {
        #expect(NoVNCSite.viewerQuery(rfbHost: "127.0.0.1", rfbPort: 5900) == "autoconnect=true&host=127.0.0.1&port=5900&path=")
        #expect(NoVNCSite.viewerQuery(rfbHost: "::1", rfbPort: 5901) == "autoconnect=true&host=%5B::1%5D&port=5901&path=")
    }

    @Test(arguments: [
        ("127.0.0.1", "example.org:8080", "127.0.0.1"), ("0.0.0.0", "example.org:8080", "example.org"),
        ("0.0.0.0", "[2001:db8::1]:8080", "2001:db8::1"), ("::", nil, "::1"), ("0.0.0.0", "host", "host"), ("0.0.0.0", nil, "127.0.0.1"),
    ] as [(String, String?, String)])
    func rfbHostFollowsTheRequestWhenBoundToEveryInterface(bound: String, requestHost: String?, expected: String) {
        #expect(NoVNCSite.rfbHost(bound: bound, requestHost: requestHost) == expected)
    }

    @Test func installHintSaysHow() {
        let page = NoVNCSite.installHint(root: "/nowhere/novnc")
        #expect(page.contains("apt-get install novnc"))
        #expect(page.contains("/nowhere/novnc"))
    }
}
