"""Readers never wait for someone else's request (issue 18): newsroom and API
requests run on each worker's newsroom thread, not on its request loop, and no
anonymous client can make a worker hold a large body.

- A slow but valid upload (a 7000x7000 photo, ~2 s of libvips work) is in
  progress on a server with one worker while readers ask for the live page,
  the index, a feed and /healthz: every reader is answered before the upload.
- A client that hangs up while its request runs, and a server stopped while
  requests run and wait, leave the server whole (no crash, no panic).
- A body sent to /api/ or /newsroom without a valid session or token is
  refused after at most HTTP_MAX_ANON_BODY (16 KiB): from its headers when it
  has a Content-Length, by closing the connection when it is chunked; 40 such
  connections barely move the workers' memory. A signed-in upload of a few MiB
  still works, and the bytes a worker buffers for bodies are capped
  (HTTP_BUFFERED_MAX, 64 MiB): beyond it, 503 with Retry-After.

Ordering and outcomes are asserted, never durations.
"""
import http.client
import os
import signal
import socket
import struct
import threading
import time
import zlib

from lib import (Api, Browser, DEMO, add_staff, api_error, request, test, wait_for,
                 _png_chunk)

SLUG = "harbour"
MIB = 1024 * 1024


def big_png(width=7000, height=7000):
    """A valid 8-bit RGB PNG of width x height: a first row of noise and every
    other row the same (PNG's Up filter with no change), so it is small (a
    few hundred KB) and fast to make, yet decodes to width x height pixels."""
    first = b"\x00" + os.urandom(width * 3)
    same = b"\x02" + bytes(width * 3)
    z = zlib.compressobj(6)
    data = z.compress(first)
    for _ in range(height - 1):
        data += z.compress(same)
    data += z.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", data) +
            _png_chunk(b"IEND", b""))


def noise_png(width, height):
    """A PNG of noise: it does not compress, so its size is about 3 bytes a pixel."""
    rows = b"".join(b"\x00" + os.urandom(width * 3) for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) +
            _png_chunk(b"IDAT", zlib.compress(rows, 1)) + _png_chunk(b"IEND", b""))


def address(srv):
    host, port = srv.base.split("//")[1].split(":")
    return host, int(port)


def raw_connect(srv, timeout=30):
    s = socket.create_connection(address(srv), timeout=timeout)
    return s


def read_head(sock):
    """Reads a response's status line and headers (and whatever body came with
    them); returns (status, {header: value}) or (None, {}) if the server closed
    the connection without an answer."""
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except ConnectionResetError:
        pass
    if b"\r\n\r\n" not in data:
        return None, {}
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    hdrs = {}
    for line in head[1:]:
        k, _, v = line.partition(":")
        hdrs[k.strip().lower()] = v.strip()
    return int(head[0].split()[1]), hdrs


def headers_only(srv, path, length, extra=""):
    """Sends a POST's headers announcing `length` bytes of body, and no body."""
    s = raw_connect(srv)
    s.sendall((f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               f"Content-Type: application/octet-stream\r\n{extra}"
               f"Content-Length: {length}\r\n\r\n").encode())
    return s


def rss_kb(pids):
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total


class Upload(threading.Thread):
    """POST /api/v1/media with a token, on a thread: `sent` is set once the
    whole body is written; the answer's status is appended to `order`."""

    def __init__(self, srv, token, body, order, lock, name="upload"):
        super().__init__(daemon=True)
        self.srv, self.token, self.body = srv, token, body
        self.order, self.lock, self.label = order, lock, name
        self.sent = threading.Event()
        self.status = None

    def run(self):
        host, port = address(self.srv)
        conn = http.client.HTTPConnection(host, port, timeout=120)
        try:
            conn.request("POST", "/api/v1/media", body=self.body,
                         headers={"Authorization": "Bearer " + self.token})
            self.sent.set()
            r = conn.getresponse()
            r.read()
            self.status = r.status
        except (OSError, http.client.HTTPException):
            self.status = "closed"
        finally:
            self.sent.set()
            conn.close()
        with self.lock:
            self.order.append((self.label, self.status))


def start(env, workers):
    env.import_capture(DEMO, SLUG, 2025, status="live")
    tokens = add_staff(env)
    return env.server(workers=workers), tokens


@test
def readers_answered_while_an_upload_decodes(env):
    srv, tokens = start(env, 1)
    with srv:
        photo = big_png()
        assert len(photo) < 15 * MIB
        order, lock = [], threading.Lock()
        up = Upload(srv, tokens["cal"], photo, order, lock)
        up.start()
        assert up.sent.wait(60), "the upload was not sent"
        # Give the worker time to read the body and start decoding (about 2 s
        # of libvips work): before the newsroom thread, every reader below
        # waited for it.
        time.sleep(0.3)
        for path in (f"/live/{SLUG}", "/healthz", "/", f"/live/{SLUG}/feed.atom",
                     f"/live/{SLUG}.txt", "/healthz"):
            r = request(srv.base, "GET", path, timeout=120)
            with lock:
                order.append((path, r.status))
        up.join(120)
        assert order[-1] == ("upload", 201), order
        assert all(status == 200 for _, status in order[:-1]), order


@test
def newsroom_request_outlives_its_client(env):
    srv, tokens = start(env, 1)
    with srv:
        photo = big_png()
        s = raw_connect(srv)
        s.sendall((f"POST /api/v1/media HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   f"Authorization: Bearer {tokens['cal']}\r\n"
                   f"Content-Length: {len(photo)}\r\n\r\n").encode() + photo)
        # Hang up while the newsroom thread decodes the photo.
        time.sleep(0.3)
        s.close()
        assert request(srv.base, "GET", "/healthz").status == 200
        # The thread finished the abandoned request and takes the next one.
        api = Api(srv.base, token=tokens["eve"])
        r = api.post("/preview", {"body": "The **first bus** has crossed."})
        assert r.status == 200, (r.status, r.body[:300])
        assert request(srv.base, "GET", f"/live/{SLUG}").status == 200
        log = srv.log()
        assert "Fatal error" not in log and "newsroom thread" not in log, log
        assert "died" not in log, log


@test
def stop_while_newsroom_requests_run_and_wait(env):
    srv, tokens = start(env, 1)
    photo = big_png()
    order, lock = [], threading.Lock()
    ups = [Upload(srv, tokens["cal"], photo, order, lock, f"upload{i}") for i in range(3)]
    for u in ups:
        u.start()
    for u in ups:
        assert u.sent.wait(60)
    time.sleep(0.3)
    log_path = srv.errlog.name
    # One upload runs, two wait for the thread: the worker stops cleanly,
    # finishing the one it runs and closing (or answering) the others.
    srv.proc.send_signal(signal.SIGTERM)
    srv.proc.wait(timeout=30)
    log = open(log_path, errors="replace").read()
    assert srv.stop() == 0, log
    for u in ups:
        u.join(30)
        assert not u.is_alive(), "a client was left waiting"
        assert u.status in (201, 503, "closed"), (u.status, order)
    assert "Fatal error" not in log and "libmicrohttpd" not in log, log
    assert "newsroom thread" not in log, log


@test
def anonymous_bodies_refused_from_their_headers(env):
    srv, tokens = start(env, 2)
    with srv:
        # A Content-Length over 16 KiB without credentials: refused from the
        # headers; the body is read and dropped, never held (the next test
        # measures that), and the answer follows it, so that a reverse proxy
        # still sending the body gets the answer rather than a reset.
        def refused(path, length, extra=""):
            s = headers_only(srv, path, length, extra)
            s.sendall(b"x" * length)
            status, hdrs = read_head(s)
            s.close()
            return status, hdrs

        status, hdrs = refused("/api/v1/media", 8 * MIB)
        assert status == 401, status
        assert "bearer" in hdrs.get("www-authenticate", "").lower(), hdrs
        status, _ = refused("/newsroom/signin", 1 * MIB,
                            "Content-Type: application/x-www-form-urlencoded\r\n")
        assert status == 413, status
        # A session cookie or token that is not valid is no credential.
        status, _ = refused("/api/v1/preview", 8 * MIB,
                            "Authorization: Bearer " + "x" * 43 + "\r\n")
        assert status == 401, status
        status, _ = refused("/newsroom/budget/posts", 8 * MIB,
                            "Cookie: liveline_session=" + "y" * 43 + "\r\n")
        assert status == 413, status
        # Over the largest body anyone may send: answered at once, unread.
        s = headers_only(srv, "/api/v1/media", 18 * MIB)
        status, _ = read_head(s)
        s.close()
        assert status == 413, status
        # A chunked body has no length to refuse: the connection is closed
        # once 16 KiB have arrived.
        s = raw_connect(srv)
        s.sendall(b"POST /api/v1/preview HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"4000\r\n" + b"a" * 0x4000 + b"\r\n"
        closed = False
        try:
            for _ in range(64):  # 1 MiB at most
                s.sendall(chunk)
            s.settimeout(30)
            closed = s.recv(65536) == b""
        except (BrokenPipeError, ConnectionResetError):
            closed = True
        s.close()
        assert closed, "a chunked anonymous body was read past 16 KiB"
        # What an anonymous client may send still works: the sign-in form.
        b = Browser(srv.base)
        assert b.signin("eve").status == 303


@test
def anonymous_bodies_do_not_grow_the_workers(env):
    srv, tokens = start(env, 2)
    with srv:
        workers = srv.workers()
        before = rss_kb(workers)
        socks = []
        body = b"\0" * (8 * MIB - 1)
        for i in range(40):
            path = "/api/v1/media" if i % 2 else "/newsroom/signin"
            s = headers_only(srv, path, 8 * MIB)
            s.settimeout(10)
            try:
                s.sendall(body)  # all but the last byte
            except OSError:
                pass  # refused and closed before the body: the point
            socks.append(s)
        time.sleep(0.5)
        after = rss_kb(workers)
        for s in socks:
            s.close()
        grown_mb = (after - before) / 1024
        assert grown_mb < 50, f"the workers grew by {grown_mb:.0f} MB"
        # A signed-in upload of a few MiB is still taken.
        photo = noise_png(1200, 1000)
        assert len(photo) > 3 * MIB
        r = Api(srv.base, token=tokens["cal"]).call("POST", "/media", raw=photo)
        assert r.status == 201, (r.status, r.body[:300])


@test
def buffered_bodies_capped_per_worker(env):
    srv, tokens = start(env, 1)
    with srv:
        auth = "Authorization: Bearer " + tokens["cal"] + "\r\n"
        # Three signed-in uploads of 16 MiB announced and not yet sent hold
        # 48 MiB of the worker's 64: a fourth is refused at once.
        held = [headers_only(srv, "/api/v1/media", 16 * MIB, auth) for _ in range(3)]
        assert request(srv.base, "GET", "/healthz").status == 200  # the three are read
        s = headers_only(srv, "/api/v1/media", 16 * MIB, auth)
        status, hdrs = read_head(s)
        s.close()
        assert status == 503, status
        assert hdrs.get("retry-after", "").isdigit(), hdrs
        # Their bytes come back when they go away.
        for h in held:
            h.close()
        api = Api(srv.base, token=tokens["cal"])

        def taken():
            try:
                r = api.call("POST", "/media", raw=b"\0" * (16 * MIB))
            except OSError:
                return False  # refused before the body, as the fourth was
            return r.status != 503 and r

        r = wait_for(taken, timeout=20, step=0.2)
        assert r, "the held uploads' bytes were not given back"
        api_error(r, r.status, r.json()["error"]["code"])
