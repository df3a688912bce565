import RFB

/// Every rectangle decoder the client implements, as fresh values (a new set per connection,
/// because ZRLE's decoder holds that connection's zlib stream).
public enum DecoderRegistry {
    public static func all() -> [Encoding: any RectangleDecoder] {
        [.raw: RawDecoder(), .copyRect: CopyRectDecoder(), .rre: RREDecoder(),
         .hextile: HextileDecoder(), .zrle: ZRLEDecoder(), .tight: TightDecoder()]
    }
}
