// swift-tools-version: 6.1
import PackageDescription

/// Pure targets import only the standard library, NIOCore and compute-only C libraries (zlib, libdeflate, DES), and
/// RFBEncoders Dispatch for concurrentPerform (docs/architecture.md, "Encoding on all cores");
/// edge targets (Server, Capture, porthole) touch sockets, files and clocks. See docs/architecture.md.
let package = Package(
    name: "Porthole",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "porthole", targets: ["porthole"]),
        .library(name: "RFBClient", targets: ["RFBClient"]),
        /// The codecs, and the display device with its client and the RFB server, for the benchmark package.
        .library(name: "PortholeCodecs", targets: ["Geometry", "Pixels", "RFB", "RFBEncoders", "RFBClient", "Display", "Capture", "PortholeTestSupport",
                                                   "DisplayProtocol", "SystemIO", "DisplayServer", "PortholeClient", "Server"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // C libraries from Debian.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CLibDeflate", pkgConfig: "libdeflate", providers: [.apt(["libdeflate-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CXCB", pkgConfig: "xcb xcb-shm xcb-damage xcb-xfixes xcb-xtest xcb-randr", providers: [.apt([
            "libxcb1-dev", "libxcb-shm0-dev", "libxcb-damage0-dev", "libxcb-xfixes0-dev", "libxcb-xtest0-dev", "libxcb-randr0-dev",
        ])]),

        // Pure targets.
        .target(name: "Geometry"),
        // Cache hints (header-only C): no I/O, no state.
        .target(name: "CMemoryHints"),
        .target(name: "ZlibStreams", dependencies: ["CZlib", "CLibDeflate"]),
        .target(name: "Pixels", dependencies: ["Geometry"]),
        .target(name: "RFB", dependencies: [
            "Geometry", "Pixels", "ZlibStreams", .product(name: "NIOCore", package: "swift-nio"),
        ]),
        .target(name: "RFBEncoders", dependencies: [
            "Geometry", "Pixels", "RFB", "Display", "ZlibStreams", "CTurboJPEG", "CMemoryHints", .product(name: "NIOCore", package: "swift-nio"),
        ]),
        .target(name: "RFBClient", dependencies: [
            "Geometry", "Pixels", "RFB", "ZlibStreams", "VNCAuth", "CTurboJPEG", .product(name: "NIOCore", package: "swift-nio"),
        ]),
        .target(name: "VNCAuth", dependencies: ["CCrypto"]),
        .target(name: "Display", dependencies: ["Geometry", "Pixels"]),
        .target(name: "DisplayProtocol", dependencies: [.product(name: "NIOCore", package: "swift-nio")]),

        // Edge targets.
        .target(name: "CPortholeShims"),
        .target(name: "SystemIO", dependencies: ["CPortholeShims"]),
        .target(name: "Capture", dependencies: ["Geometry", "Pixels", "Display", "CPNG", "CTurboJPEG"]),
        .target(name: "X11Capture", dependencies: ["CXCB", "Capture", "Display", "Geometry", "Pixels", "SystemIO"]),
        .target(name: "Server", dependencies: [
            "Geometry", "Pixels", "RFB", "RFBEncoders", "RFBClient", "Display", "Capture", "VNCAuth", "SystemIO",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: [.swiftLanguageMode(.v5)]),
        .target(name: "DisplayServer", dependencies: [
            "Display", "DisplayProtocol", "SystemIO", "Geometry", "Pixels", "Capture",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "PortholeClient", dependencies: ["DisplayProtocol", "SystemIO"]),
        .executableTarget(name: "porthole", dependencies: [
            "Server", "Capture", "RFBClient", "DisplayServer", "DisplayProtocol", "PortholeClient", "X11Capture", "SystemIO",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: [.swiftLanguageMode(.v5)]),

        .target(name: "PortholeTestSupport", dependencies: ["Geometry", "Pixels"], path: "Tests/TestSupport"),
        .testTarget(name: "GeometryTests", dependencies: ["Geometry", "PortholeTestSupport"]),
        .testTarget(name: "ZlibStreamsTests", dependencies: ["ZlibStreams", "CZlib", "CLibDeflate"]),
        .testTarget(name: "PixelsTests", dependencies: ["Pixels", "PortholeTestSupport"]),
        .testTarget(name: "RFBTests", dependencies: ["RFB", "VNCAuth"]),
        .testTarget(name: "RFBClientTests", dependencies: ["RFBClient", "RFB", "PortholeTestSupport"]),
        .testTarget(name: "RFBEncodersTests", dependencies: ["RFBEncoders", "RFBClient", "PortholeTestSupport"]),
        .testTarget(name: "DisplayTests", dependencies: ["Display", "PortholeTestSupport"]),
        .testTarget(name: "DisplayProtocolTests", dependencies: ["DisplayProtocol", "PortholeTestSupport"]),
        .testTarget(name: "ServerTests", dependencies: [
            "Server", "Capture", "RFB", "RFBClient", "Display", "CZlib", "VNCAuth", "PortholeTestSupport", "SystemIO",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "CaptureTests", dependencies: ["Capture", "PortholeTestSupport", "CTurboJPEG"]),
        .testTarget(name: "X11CaptureTests", dependencies: ["X11Capture", "Geometry", "Pixels", "SystemIO"]),
        .testTarget(name: "IntegrationTests", dependencies: ["PortholeTestSupport", "Pixels", "Geometry"], resources: [.copy("peers")]),
        .testTarget(name: "SystemIOTests", dependencies: ["SystemIO"]),
        .testTarget(name: "DisplayServerTests", dependencies: [
            "DisplayServer", "DisplayProtocol", "SystemIO", "Display", "PortholeTestSupport", "PortholeClient", "Capture", "Geometry", "Pixels",
            "Server",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
    ]
)
