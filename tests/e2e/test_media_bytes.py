"""Uploaded photos keep no metadata, checked on the stored bytes: a JPEG, a
WebP and a PNG that carry a GPS position (EXIF and XMP) are uploaded through
the API; every copy on disk and every copy served has no metadata segment,
chunk or flag (tests/e2e/imagemeta.py walks the containers: libvips, which the
unit tests read back through, hides a WebP EXIF chunk whose flag is cleared).
The test images are made with libvips' and libwebp's command-line tools."""
import os
import shutil
import subprocess

from imagemeta import XMP_GPS, exif_gps, image_format, jpeg_add_metadata, metadata
from lib import Api, add_staff, list_files, media_dir, missing, png, request, test


def tool(name, package):
    path = shutil.which(name)
    if not path:
        raise missing(f"{name} ({package}) is not installed")
    return path


def run(*cmd):
    p = subprocess.run(cmd, capture_output=True, timeout=120)
    assert p.returncode == 0, (cmd, p.stderr.decode(errors="replace"))
    return p.stdout


def gps_images(folder):
    """{format: bytes} of three photos that carry a GPS position."""
    vips, cwebp, webpmux = tool("vips", "libvips-tools"), tool("cwebp", "webp"), \
        tool("webpmux", "webp")
    base = os.path.join(folder, "base.png")
    with open(base, "wb") as f:
        f.write(png(1200, 800, color=(30, 120, 200)))
    path = lambda name: os.path.join(folder, name)  # noqa: E731

    run(vips, "copy", base, path("base.jpg") + "[Q=90]")
    with open(path("base.jpg"), "rb") as f:
        jpeg = jpeg_add_metadata(f.read(), exif=exif_gps(), xmp=XMP_GPS,
                                 comment=b"taken at 51.5 N 0.12 W")
    with open(path("gps.jpg"), "wb") as f:
        f.write(jpeg)

    with open(path("exif.bin"), "wb") as f:
        f.write(exif_gps())
    with open(path("xmp.xml"), "wb") as f:
        f.write(XMP_GPS)
    run(cwebp, "-quiet", base, "-o", path("base.webp"))
    run(webpmux, "-set", "exif", path("exif.bin"), path("base.webp"), "-o", path("e.webp"))
    run(webpmux, "-set", "xmp", path("xmp.xml"), path("e.webp"), "-o", path("gps.webp"))
    with open(path("gps.webp"), "rb") as f:
        webp = f.read()

    pngdata = png(1000, 600, color=(200, 90, 20),
                  chunks=[(b"eXIf", exif_gps()), (b"tEXt", b"Comment\x00at 51.5 N 0.12 W"),
                          (b"iTXt", b"XML:com.adobe.xmp\x00\x00\x00\x00\x00" + XMP_GPS)])
    images = {"jpeg": jpeg, "webp": webp, "png": pngdata}
    # The inputs really hold the position: libvips reads it, and the
    # instrument sees every kind of metadata put in.
    for kind, data in images.items():
        with open(path("check." + kind), "wb") as f:
            f.write(data)
        header = run(tool("vipsheader", "libvips-tools"), "-a", path("check." + kind)).decode()
        assert "GPSLatitude" in header, (kind, header)
        found = " ".join(metadata(data))
        assert "EXIF" in found.upper() and "XMP" in found.upper(), (kind, found)
    return images


@test
def media_upload_keeps_no_metadata_bytes(env):
    images = gps_images(env.dir)
    tokens = add_staff(env)
    with env.server() as srv:
        cal = Api(srv.base, tokens["cal"])
        for kind, data in images.items():
            m = cal.ok("POST", "/media", raw=data, status=201,
                       headers={"Content-Type": "application/octet-stream"})["media"]
            ext = {"jpeg": "jpg", "png": "png", "webp": "webp"}[kind]
            names = [f"{m['name']}-{w}.{ext}" for w in m["widths"]]
            assert names and set(names) <= set(list_files(media_dir(env))), (names, kind)
            for name in names:
                with open(os.path.join(media_dir(env), name), "rb") as f:
                    stored = f.read()
                assert image_format(stored) == kind, (name, stored[:16])
                assert metadata(stored) == [], (name, metadata(stored))
                r = request(srv.base, "GET", "/media/" + name)
                assert r.status == 200 and r.body == stored, (name, r.status)
