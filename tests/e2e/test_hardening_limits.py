"""End-to-end tests of the size and work limits (src/model/model_limits.h):
hostile uploads are a quick, clear refusal; a page filled to every limit still
renders; content over the limits is refused wherever it is written (API,
command line, import); and a page whose render fails (one written to the store
behind the limits' back) is not rendered again at every request.
"""
import json
import os
import shutil
import struct
import subprocess
import tempfile
import zlib

import lib
from lib import Api, add_staff, api_error, parse_html, request, sql_text, test, wait_for

SLUG = "limits"
BODY_MAX = 8192      # MODEL_BODY_MAX
SUMMARY_MAX = 8192   # MODEL_SUMMARY_MAX
TITLE_MAX = 300      # MODEL_TITLE_MAX
DESC_MAX = 2000      # MODEL_DESC_MAX
NAME_MAX = 200       # MODEL_NAME_MAX
NOTE_MAX = 1000      # MODEL_NOTE_MAX


def jpeg_many_scans(side=7000, scans=2080):
    """A valid progressive greyscale JPEG of side x side pixels with `scans`
    scans: cjpeg writes a DC scan and one AC scan (all coefficients zero: a
    few EOB runs, so a few hundred bytes), and the AC scan is repeated (cjpeg's
    scan scripts stop at 100). libjpeg expects exactly that scan again after
    the first, so the file decodes without a warning, slowly: every scan is
    read over the whole image (djpeg took 12 s for this one)."""
    if not shutil.which("cjpeg"):
        if os.environ.get("CI") == "true":
            raise AssertionError("cjpeg (libjpeg-turbo-progs) is missing")
        raise lib.Skip("no cjpeg (Debian's libjpeg-turbo-progs)")
    with tempfile.NamedTemporaryFile("w", suffix=".scans", delete=False) as f:
        f.write("0: 0 0 0 0;\n0: 1 63 0 0;\n")
        script = f.name
    try:
        pgm = b"P5 %d %d 255\n" % (side, side) + bytes([128]) * (side * side)
        out = subprocess.run(["cjpeg", "-grayscale", "-progressive", "-scans", script,
                              "-quality", "50"], input=pgm, stdout=subprocess.PIPE,
                             check=True, timeout=120).stdout
    finally:
        os.unlink(script)
    i, sos = 2, []
    while out[i + 1] != 0xD9:
        marker = out[i + 1]
        start = i
        i += 2 + struct.unpack(">H", out[i + 2:i + 4])[0]
        if marker == 0xDA:
            while not (out[i] == 0xFF and out[i + 1] != 0 and not 0xD0 <= out[i + 1] <= 0xD7):
                i += 1
            sos.append((start, i))
    assert len(sos) == 2, sos
    a, b = sos[1]
    return out[:b] + out[a:b] * (scans - 2) + out[b:]


def png_16bit_rgba(side=7000):
    """A valid 16-bit RGBA PNG of side x side pixels, one colour: every row
    after the first is filtered to zeros, so the file is a few hundred KB and
    decodes to side * side * 8 bytes (392 MB at 7000)."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    z = zlib.compressobj(9)
    data = z.compress(b"\x00" + b"\x12\x34\x56\x78\x9a\xbc\xff\xff" * side)
    row = b"\x02" + b"\x00" * (side * 8)
    for _ in range(side - 1):
        data += z.compress(row)
    data += z.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 16, 6,
                                                             0, 0, 0)) +
            chunk(b"IDAT", data) + chunk(b"IEND", b""))


@test
def hardening_hostile_uploads(env):
    jpg = jpeg_many_scans()
    png = png_16bit_rgba()
    assert len(jpg) < 1024 * 1024 and len(png) < 1024 * 1024, (len(jpg), len(png))
    tokens = add_staff(env)
    with env.server(workers=1) as srv:
        cal = Api(srv.base, tokens["cal"])
        # Each was accepted after 34 s and 3.2 s of decoding, with every reader
        # of the worker waiting; now each is refused from its header or its
        # markers. The timeout is generous on purpose: the status is the test.
        for name, data, words in (("JPEG with 2,080 scans", jpg, "progressive scans"),
                                  ("16-bit RGBA PNG", png, "16 bits")):
            r = request(srv.base, "POST", "/api/v1/media", data,
                        {"Authorization": "Bearer " + tokens["cal"],
                         "Content-Type": "application/octet-stream"}, timeout=120)
            msg = api_error(r, 422, "invalid")
            assert words in msg, (name, msg)
        # The worker answers a reader at once afterwards, and a normal photo
        # is still taken.
        assert request(srv.base, "GET", "/healthz").status == 200
        normal = png_16bit_rgba(64)
        m = cal.ok("POST", "/media", raw=normal, status=201,
                   headers={"Content-Type": "image/png"})["media"]
        assert m["url"].startswith("/media/"), m
        assert "ran past" not in srv.log()


def amps(n):
    """n bytes of Markdown that each become 5 bytes of HTML (&amp;), broken
    into words: about the most HTML per byte that plain text gives (quotation
    marks give 6, but a post may hold only 1,000 of them)."""
    word = "&" * 9 + " "
    return (word * (n // len(word) + 1))[:n]


@test
def hardening_page_at_the_limits(env):
    tokens = add_staff(env)
    with env.server(workers=1) as srv:
        ada, eve = Api(srv.base, tokens["ada"]), Api(srv.base, tokens["eve"])
        ada.ok("POST", "/pages", {"slug": SLUG, "title": '"' * TITLE_MAX,
                                  "description": '"' * DESC_MAX}, 201)
        eve.ok("POST", f"/pages/{SLUG}/status", {"status": "live"})
        eve.ok("POST", f"/pages/{SLUG}/publish")  # a new page is unpublished
        # The summary at its limit: points that fill MODEL_SUMMARY_MAX.
        points = [amps(NOTE_MAX)] * (SUMMARY_MAX // NOTE_MAX)
        eve.ok("PUT", f"/pages/{SLUG}/summary",
               {"points": points, "media": {"kind": "image", "url": "/x.jpg",
                                            "alt": '"' * NOTE_MAX,
                                            "caption": amps(NOTE_MAX)}})
        bylines = [{"name": "N" * NAME_MAX, "role": "R" * NAME_MAX}] * 10
        ids = []
        for i in range(59):  # two pages: 20 on the first, 39 (the most) on the newest
            body = amps(BODY_MAX - 20) + f" {i:04d}"
            p = eve.ok("POST", f"/pages/{SLUG}/posts",
                       {"title": '"' * TITLE_MAX, "body": body, "bylines": bylines,
                        "breaking": True, "key_event": True}, 201)["post"]
            ids.append(p["id"])
        post = eve.ok("PATCH", f"/pages/{SLUG}/posts/{ids[3]}",
                      {"version": 1, "correction": '"' * NOTE_MAX})["post"]
        eve.ok("POST", f"/pages/{SLUG}/posts/{ids[3]}/pin")
        assert post["correction"], post

        # Over the limits, wherever it comes from: refused, and nothing stored.
        for body in ("a" * (BODY_MAX + 1), "a" * 192 * 1024, "![[]()" * (BODY_MAX // 6)):
            r = eve.post(f"/pages/{SLUG}/posts", {"title": "Too much", "body": body})
            msg = api_error(r, 422, "invalid")
            assert "too long" in msg or "too large" in msg, msg
        r = eve.put(f"/pages/{SLUG}/summary", {"points": [amps(NOTE_MAX)] * 9})
        assert "together" in api_error(r, 422, "invalid")
        # Quotation marks can cost cmark the square of their number.
        r = eve.put(f"/pages/{SLUG}/summary", {"points": ['"' * NOTE_MAX] * 2})
        assert "quotation marks" in api_error(r, 422, "invalid")
        assert len(eve.ok("GET", f"/pages/{SLUG}/posts?page=2")["posts"]) == 39

        # Every page of it renders, each well under the render limit.
        paths = [f"/live/{SLUG}", f"/live/{SLUG}?page=1", f"/live/{SLUG}?page=2",
                 f"/live/{SLUG}.txt", f"/live/{SLUG}/feed.atom", f"/live/{SLUG}/feed.json"]
        paths += [f"/live/{SLUG}/posts/{i}" for i in ids]
        for path in paths:
            r = request(srv.base, "GET", path)
            assert r.status == 200, (path, r.status, r.body[:300])
            if "feed" not in path and ".txt" not in path:  # those hold up to 50 posts
                assert len(r.body) < 3520 * 1024, (path, len(r.body))
        live = parse_html(request(srv.base, "GET", f"/live/{SLUG}").text)
        assert len(live.find_all("article")) == 40  # the pinned post, then the newest 39
        assert "rendering" not in srv.log(), srv.log()


@test
def hardening_cli_and_import_limits(env):
    env.import_capture(lib.DEMO, "demo", 2026, "Demo")
    p = env.cli.run("post", "demo", "--title", "Long", stdin=b"a" * (BODY_MAX + 1), check=1)
    assert b"longer than the 8192 bytes" in p.stderr, p.stderr
    p = env.cli.run("post", "demo", "--title", "Complex",
                    stdin=("![[]()" * (BODY_MAX // 6)).encode(), check=1)
    assert b"too large to show" in p.stderr, p.stderr
    p = env.cli.run("post", "demo", "--title", "T" * (TITLE_MAX + 1), stdin=b"x", check=2)
    p = env.cli.run("summary", "demo", stdin=b"- point\n" * 1100, check=1)
    assert b"the summary on standard input is" in p.stderr, p.stderr
    pid = int(env.cli.run("post", "demo", "--title", "At the limit",
                          stdin=b"w" * BODY_MAX, check=0).stdout)
    p = env.cli.run("edit", "demo", str(pid), stdin=b"w" * (BODY_MAX + 1), check=1)
    assert b"longer than" in p.stderr, p.stderr

    # A capture over 16 MB is refused before it is parsed, and a post over the
    # limits is refused naming the line where it begins.
    big = os.path.join(env.dir, "big.txt")
    with open(big, "wb") as f:
        f.write(open(lib.DEMO, "rb").read())
        f.write(b"x" * (16 * 1024 * 1024))
    p = env.cli.run("import", "--year", "2026", "--slug", "big", big, check=1)
    assert b"larger than 16 MB" in p.stderr, p.stderr
    long_post = os.path.join(env.dir, "long.txt")
    with open(long_post, "w") as f:
        f.write("  1. Longpublished at 10:00 Greenwich Mean Time 17 February\n\n    ")
        f.write("word " * 2000)
        f.write("\n")
    p = env.cli.run("import", "--year", "2026", "--slug", "long", long_post, check=1)
    assert b"long.txt:1: post 1: the body is longer than 8192 bytes" in p.stderr, p.stderr


@test
def hardening_failed_render_not_repeated(env):
    env.import_capture(lib.DEMO, "demo", 2026, "Demo")
    for i in range(16):  # 41 posts with the planted one: ?page=1 is an older page
        env.cli.run("post", "demo", "--title", f"Filler {i}", stdin=b"Small.\n", check=0)
    pid = int(env.cli.run("post", "demo", "--title", "Planted", stdin=b"Small.\n",
                          check=0).stdout)
    # Behind the limits' back, straight into the store: a post whose page is
    # over the render limit (as five 1 MiB posts made before the limits):
    # 3.4 MB of '&', 17 MB of HTML, over the render limit before the limits
    # (16 MiB) and after (3.1 MiB).
    body = json.dumps([{"type": "paragraph", "text": "&" * 3400000}])
    env.sql(f"UPDATE posts SET body_json = {sql_text(body)} WHERE id = {pid}")
    with env.server(workers=1) as srv:
        for _ in range(5):
            r = request(srv.base, "GET", "/live/demo")
            assert r.status == 500, r.status
            assert r.header("cache-control") == "no-cache", r.headers
        # One render tried, one failure logged; the other four were answered
        # from the cache. (Before, each request rendered to the limit again.)
        log = srv.log()
        assert log.count("rendering page:demo:0 failed") == 1, log
        for _ in range(3):
            assert request(srv.base, "GET", f"/live/demo/posts/{pid}").status == 500
        assert srv.log().count(f"rendering post:demo:{pid} failed") == 1, srv.log()
        # Other pages are unaffected, and a change to the page drops the
        # remembered failure: the page renders again.
        assert request(srv.base, "GET", "/live/demo?page=1").status == 200
        env.cli.run("delete", "demo", str(pid), check=0)
        assert wait_for(lambda: request(srv.base, "GET", "/live/demo").status == 200,
                        timeout=10)
