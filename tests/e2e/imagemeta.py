"""A test instrument: what metadata an image file carries, read from its
container's structure (JPEG segments, PNG chunks, WebP's RIFF chunks and VP8X
flags), not through a decoder. libvips hides a WebP EXIF chunk whose VP8X flag
is cleared, so a file can look clean through libvips and still hold a GPS
position; walking the bytes cannot be fooled that way. Also builds EXIF and XMP
blocks with a GPS position, to put into test uploads."""
import struct

EXIF_HEADER = b"Exif\x00\x00"
XMP_NS = b"http://ns.adobe.com/xap/1.0/\x00"

# JPEG segments that are the image itself (or harmless markers): anything else
# before the first scan is metadata (APP1 Exif/XMP, APP2 ICC, APP13 IPTC, COM...).
JPEG_IMAGE_MARKERS = {0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb,
                      0xcc, 0xcd, 0xce, 0xcf, 0xdb, 0xdd, 0xe0, 0xee}
PNG_METADATA = {b"eXIf", b"tEXt", b"zTXt", b"iTXt", b"tIME", b"iCCP"}
WEBP_METADATA = {b"EXIF", b"XMP ", b"ICCP"}
VP8X_ICC, VP8X_EXIF, VP8X_XMP = 0x20, 0x08, 0x04


def exif_gps():
    """A little-endian TIFF block (EXIF without its "Exif\\0\\0" header): IFD0
    with a pointer to a GPS IFD holding 51 deg 30' N, 0 deg 7' W."""
    entries0 = [(0x8825, 4, 1, 26)]                      # GPSInfo IFD at 26
    ifd0 = struct.pack("<H", len(entries0))
    for tag, typ, count, value in entries0:
        ifd0 += struct.pack("<HHII", tag, typ, count, value)
    ifd0 += struct.pack("<I", 0)
    gps_at = 8 + len(ifd0)
    assert gps_at == 26
    n = 5
    data_at = gps_at + 2 + n * 12 + 4
    gps = struct.pack("<H", n)
    gps += struct.pack("<HHI4s", 0x0000, 1, 4, b"\x02\x02\x00\x00")      # version
    gps += struct.pack("<HHI4s", 0x0001, 2, 2, b"N\x00\x00\x00")         # lat ref
    gps += struct.pack("<HHII", 0x0002, 5, 3, data_at)                   # latitude
    gps += struct.pack("<HHI4s", 0x0003, 2, 2, b"W\x00\x00\x00")         # lon ref
    gps += struct.pack("<HHII", 0x0004, 5, 3, data_at + 24)              # longitude
    gps += struct.pack("<I", 0)
    rationals = struct.pack("<6I", 51, 1, 30, 1, 0, 1) + struct.pack("<6I", 0, 1, 7, 1, 0, 1)
    return b"II*\x00" + struct.pack("<I", 8) + ifd0 + gps + rationals


XMP_GPS = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
           b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
           b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" '
           b'exif:GPSLatitude="51,30.0N" exif:GPSLongitude="0,7.0W"/>'
           b'</rdf:RDF></x:xmpmeta>')


def jpeg_add_metadata(jpeg, exif=None, xmp=None, comment=None):
    """The JPEG with APP1 Exif, APP1 XMP and a COM segment inserted after SOI."""
    assert jpeg[:2] == b"\xff\xd8", jpeg[:4]
    segs = b""
    for marker, payload in ((0xe1, EXIF_HEADER + exif if exif else None),
                            (0xe1, XMP_NS + xmp if xmp else None),
                            (0xfe, comment)):
        if payload is not None:
            segs += bytes((0xff, marker)) + struct.pack(">H", len(payload) + 2) + payload
    return jpeg[:2] + segs + jpeg[2:]


def jpeg_segments(data):
    """[(marker, payload)] from SOI to the first scan (SOS)."""
    assert data[:2] == b"\xff\xd8", "not a JPEG"
    out, i = [], 2
    while True:
        assert i + 4 <= len(data) and data[i] == 0xff, f"broken JPEG at {i}"
        marker = data[i + 1]
        if marker == 0xff:  # fill byte
            i += 1
            continue
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        out.append((marker, data[i + 4:i + 2 + length]))
        if marker == 0xda:
            return out
        i += 2 + length


def png_chunks(data):
    """[(type, data)] of a PNG, checked to end with IEND."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    out, i = [], 8
    while i < len(data):
        assert i + 12 <= len(data), f"broken PNG at {i}"
        n, kind = struct.unpack(">I4s", data[i:i + 8])
        out.append((kind, data[i + 8:i + 8 + n]))
        i += 12 + n
    assert out and out[-1][0] == b"IEND", "no IEND"
    return out


def webp_chunks(data):
    """[(fourcc, payload)] of a WebP's RIFF container, sizes checked."""
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP", "not a WebP"
    assert struct.unpack("<I", data[4:8])[0] == len(data) - 8, "RIFF size"
    out, i = [], 12
    while i < len(data):
        assert i + 8 <= len(data), f"broken WebP at {i}"
        fourcc, n = data[i:i + 4], struct.unpack("<I", data[i + 4:i + 8])[0]
        out.append((fourcc, data[i + 8:i + 8 + n]))
        i += 8 + n + (n & 1)
    assert i == len(data), "chunks overrun the file"
    return out


def image_format(data):
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def metadata(data):
    """What metadata the file carries, as a list of short descriptions; []
    when there is none. Fails on a file whose structure is broken."""
    found, kind = [], image_format(data)
    if kind == "jpeg":
        for marker, payload in jpeg_segments(data):
            if marker not in JPEG_IMAGE_MARKERS and marker != 0xda:
                what = ("Exif" if payload.startswith(EXIF_HEADER) else
                        "XMP" if payload.startswith(XMP_NS) else payload[:12])
                found.append(f"JPEG segment FF{marker:02X} ({what!r})")
    elif kind == "png":
        found += [f"PNG chunk {k.decode()}" for k, _ in png_chunks(data) if k in PNG_METADATA]
    elif kind == "webp":
        for fourcc, payload in webp_chunks(data):
            if fourcc in WEBP_METADATA:
                found.append(f"WebP chunk {fourcc.decode()!r}")
            if fourcc == b"VP8X":
                flags = payload[0]
                for bit, name in ((VP8X_ICC, "ICC"), (VP8X_EXIF, "EXIF"), (VP8X_XMP, "XMP")):
                    if flags & bit:
                        found.append(f"WebP VP8X flag {name}")
    else:
        raise AssertionError(f"not an image: {data[:16]!r}")
    # Whatever the container, no EXIF block or XMP packet anywhere in the bytes.
    if EXIF_HEADER in data or b"II*\x00\x08\x00\x00\x00" in data or \
            b"MM\x00*\x00\x00\x00\x08" in data:
        found.append("an EXIF block in the bytes")
    if b"http://ns.adobe.com/" in data or b"<x:xmpmeta" in data:
        found.append("an XMP packet in the bytes")
    return found
