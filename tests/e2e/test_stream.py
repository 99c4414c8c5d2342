"""End-to-end tests of live updates from the server's side: the Server-Sent
Events stream (replay, live delivery, reload, heartbeat, slow readers), the
polling endpoint, the text form that follows a page, and the page cache moving
with the stream. Browser behaviour is in test_browser.py.
"""
import http.client
import json
import os
import socket
import struct
import subprocess
import threading
import time

from lib import (DEMO, LoopbackCapture, Server, Skip, curl, parse_html, server_sockopt,
                 sql_text, test, wait_for)


class Sse:
    """A minimal EventSource over http.client: events as dicts, comments kept."""

    def __init__(self, base, path, last_event_id=None, timeout=10):
        host, port = base.split("//")[1].split(":")
        self.conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
        headers = {"Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        self.conn.request("GET", path, headers=headers)
        self.resp = self.conn.getresponse()
        self.comments = []
        self.retry = None

    def next(self, timeout=5):
        """The next event (a dict with id, event, data) or None on timeout."""
        self.conn.sock.settimeout(timeout)
        deadline = time.time() + timeout
        ev = {"id": None, "event": "message", "data": []}
        try:
            while time.time() < deadline:
                line = self.resp.readline()
                if not line:
                    return None
                line = line.decode("utf-8").rstrip("\n")
                if line == "":
                    if ev["data"] or ev["event"] != "message":
                        ev["data"] = json.loads("\n".join(ev["data"])) if ev["data"] else None
                        return ev
                    continue
                if line.startswith(":"):
                    self.comments.append(line)
                    continue
                field, _, value = line.partition(":")
                value = value[1:] if value.startswith(" ") else value
                if field == "data":
                    ev["data"].append(value)
                elif field == "id":
                    ev["id"] = int(value)
                elif field == "event":
                    ev["event"] = value
                elif field == "retry":
                    self.retry = int(value)
            return None  # only comments (heartbeats) until the deadline
        except (socket.timeout, TimeoutError):
            return None

    def close(self):
        self.conn.close()


def post(env, slug, title, body=b"A paragraph.\n", *flags):
    p = env.cli.run("post", slug, "--title", title, *flags, stdin=body, check=0)
    return int(p.stdout.strip())


def last_seq(env, slug):
    return json.loads(env.cli.run("export", "--format", "json", slug, check=0).stdout)["last_seq"]


@test
def stream_replays_then_goes_live(env):
    env.import_capture(DEMO, "demo", 2026)
    with env.server() as srv:
        seq = last_seq(env, "demo")
        s = Sse(srv.base, f"/live/demo/events?since={seq - 3}")
        assert s.resp.status == 200
        assert s.resp.getheader("content-type").startswith("text/event-stream")
        got = [s.next() for _ in range(3)]
        assert [e["id"] for e in got] == [seq - 2, seq - 1, seq]
        assert all(e["event"] == "post" and e["data"]["seq"] == e["id"] for e in got)
        assert s.retry == 3000
        pid = post(env, "demo", "Fresh news")
        e = s.next(timeout=5)  # a bound on waiting, not a measure: bench/ measures delivery
        assert e and e["event"] == "post" and e["id"] == seq + 1, e
        assert e["data"]["post_id"] == pid
        html = parse_html(e["data"]["html"])
        assert html.find("article", cls="post").attrs["id"] == f"post-{pid}"
        assert "Fresh news" in html.find("h3").text()
        # the page itself moved with the stream: a reader loading it now sees the post
        assert f'id="post-{pid}"' in curl(srv.base + "/live/demo").text
        s.close()


# SQLite only: DB-notify is the SQLite backend's wake-up file; PostgreSQL
# wakes the workers with LISTEN/NOTIFY (test_store.c's test_wake_on_commit).
@test(backends=("sqlite",), why="SQLite's DB-notify file deleted under a running server")
def workers_watch_db_notify_again_after_it_is_deleted(env):
    """DB-notify deleted under a running server: each worker's store reports its
    watch lost, the next command-line post makes the file again, each worker's
    timer watches it again (store_wake_tick), and posts keep reaching an open
    stream throughout, the one made while the watch was lost included."""
    env.import_capture(DEMO, "demo", 2026)
    with env.server(workers=2) as srv:
        seq = last_seq(env, "demo")
        s = Sse(srv.base, f"/live/demo/events?since={seq}")
        assert s.resp.status == 200
        os.unlink(env.db + "-notify")
        assert wait_for(lambda: srv.log().count("-notify is gone") == 2, timeout=20), srv.log()
        pid = post(env, "demo", "While the watch was lost")
        assert os.path.exists(env.db + "-notify")
        e = s.next(timeout=10)
        assert e and e["event"] == "post" and e["data"]["post_id"] == pid, e
        assert wait_for(lambda: srv.log().count("-notify again") == 2, timeout=30), srv.log()
        pid = post(env, "demo", "After the watch came back")
        e = s.next(timeout=10)
        assert e and e["event"] == "post" and e["data"]["post_id"] == pid, e
        s.close()


DEMO_CHANGE = "seq = {} AND page_id = (SELECT id FROM pages WHERE slug = 'demo')"


def stored_event(env, seq):
    """The event and text the change log keeps for the demo page's change `seq`
    (each its own query: the text may run over lines)."""
    event = env.sql_one("SELECT event FROM changes WHERE " + DEMO_CHANGE.format(int(seq)))
    text = "\n".join("\t".join(row) for row in
                     env.sql("SELECT text FROM changes WHERE " + DEMO_CHANGE.format(int(seq))))
    return event, text


def store_event(env, seq, event):
    env.sql(f"UPDATE changes SET event = {sql_text(event)} WHERE " + DEMO_CHANGE.format(int(seq)))


@test
def stream_sends_each_event_as_stored_at_its_commit(env):
    """An event is rendered once, when its change is committed, and kept in the
    change log: every worker sends those bytes instead of rendering them again,
    and an event stored unusable is rendered again from the post."""
    env.import_capture(DEMO, "demo", 2026)
    first = post(env, "demo", "Stored once")
    post(env, "demo", "Stored badly")
    seq = last_seq(env, "demo")
    event, text = stored_event(env, seq - 1)
    ev = json.loads(event)
    assert ev["seq"] == seq - 1 and ev["kind"] == "post" and ev["post_id"] == first, ev
    assert "Stored once" in ev["html"] and "Stored once" in text
    # A worker that rendered the event itself would not send this mark.
    ev["title"] = "Marked in the store"
    store_event(env, seq - 1, json.dumps(ev, separators=(",", ":")))
    store_event(env, seq, "not an object\nat all")
    with Server(env.binary, env.db, 4) as srv:
        streams = [Sse(srv.base, f"/live/demo/events?since={seq - 2}") for _ in range(12)]
        for s in streams:
            e1, e2 = s.next(), s.next()
            assert e1["id"] == seq - 1 and e1["data"] == ev, e1
            assert e2["id"] == seq and e2["data"]["title"] == "Stored badly", e2
            assert "Stored badly" in e2["data"]["html"]
        doc = json.loads(curl(srv.base + f"/live/demo/changes?since={seq - 2}").text)
        assert doc["slug"] == "demo" and doc["last_seq"] == seq and doc["reload"] is False
        assert doc["changes"][0] == ev and doc["changes"][1]["title"] == "Stored badly", doc
        # A live post: every stream, whichever worker holds it, gets what the
        # store kept.
        post(env, "demo", "Live and stored")
        got = [s.next() for s in streams]
        kept = json.loads(stored_event(env, seq + 1)[0])
        assert "Live and stored" in kept["html"]
        assert all(g and g["id"] == seq + 1 and g["data"] == kept for g in got), got
        for s in streams:
            s.close()


@test
def edited_or_deleted_words_are_not_replayed(env):
    """An edit (a correction, a legal takedown) takes the post's old words out of
    its earlier events, in the store and in a running worker's ring alike: a
    reader who replays the page's events gets the post as it is now, and after
    a deletion not at all."""
    env.import_capture(DEMO, "demo", 2026)
    seq0 = last_seq(env, "demo")

    def kept():
        return " ".join(e or "" for row in env.sql("SELECT event, text FROM changes")
                        for e in row)

    def replay(srv, n):
        s = Sse(srv.base, f"/live/demo/events?since={seq0}")
        evs = [s.next() for _ in range(n)]
        s.close()
        return evs

    with Server(env.binary, env.db, 1) as srv:
        live = Sse(srv.base, "/live/demo/events")  # the worker keeps the page's events
        pid = post(env, "demo", "Claim", b"The original wording.\n")
        assert "original wording" in live.next()["data"]["html"]
        env.cli.run("edit", "demo", str(pid), stdin=b"The corrected wording.\n", check=0)
        assert "corrected wording" in live.next()["data"]["html"]
        assert "original wording" not in kept() and "corrected wording" in kept()
        e1, e2 = replay(srv, 2)
        assert e1["event"] == "post" and "corrected wording" in e1["data"]["html"], e1
        assert e2["event"] == "update" and "corrected wording" in e2["data"]["html"], e2
        assert "original" not in json.dumps([e1, e2])
        env.cli.run("delete", "demo", str(pid), check=0)
        assert live.next()["event"] == "delete"
        assert "wording" not in kept()
        evs = replay(srv, 3)
        assert [e["event"] for e in evs] == ["post", "update", "delete"], evs
        assert evs[0]["data"]["gone"] is True and evs[1]["data"]["gone"] is True
        assert "wording" not in json.dumps(evs)
        live.close()
    # A server started afterwards replays the same from the store.
    with env.server() as srv:
        evs = replay(srv, 3)
        assert [e["event"] for e in evs] == ["post", "update", "delete"], evs
        assert evs[0]["data"]["gone"] is True and evs[1]["data"]["gone"] is True
        assert "wording" not in json.dumps(evs)


@test
def stream_every_change_kind(env):
    env.import_capture(DEMO, "demo", 2026)
    with env.server() as srv:
        s = Sse(srv.base, "/live/demo/events")
        pid = post(env, "demo", "First title")
        env.cli.run("edit", "demo", str(pid), "--title", "Second title", check=0)
        env.cli.run("pin", "demo", str(pid), check=0)
        env.cli.run("unpin", "demo", check=0)
        env.cli.run("summary", "demo", stdin=b"- One key point\n- Another\n", check=0)
        env.cli.run("status", "demo", "ended", check=0)
        env.cli.run("delete", "demo", str(pid), check=0)
        events = [s.next() for _ in range(7)]
        kinds = [e["event"] for e in events]
        assert kinds == ["post", "update", "pin", "pin", "summary", "status", "delete"], kinds
        ids = [e["id"] for e in events]
        assert ids == list(range(ids[0], ids[0] + 7)), ids
        assert "Second title" in events[1]["data"]["html"]
        assert events[2]["data"]["post_id"] == pid and "pinned-post" in events[2]["data"]["html"]
        assert events[3]["data"]["post_id"] == 0 and events[3]["data"]["html"] == ""
        assert "One key point" in events[4]["data"]["html"]
        assert events[5]["data"]["status"] == "ended" and "Ended" in events[5]["data"]["html"]
        assert events[6]["data"]["post_id"] == pid
        s.close()


@test
def stream_resume_gets_exactly_what_was_missed(env):
    env.import_capture(DEMO, "demo", 2026)
    with env.server() as srv:
        s = Sse(srv.base, "/live/demo/events")
        post(env, "demo", "Seen")
        seen = s.next()
        s.close()
        missed = [post(env, "demo", f"Missed {i}") for i in range(3)]
        s = Sse(srv.base, "/live/demo/events?since=1", last_event_id=seen["id"])
        got = [s.next() for _ in range(3)]
        assert [e["data"]["post_id"] for e in got] == missed
        assert [e["id"] for e in got] == [seen["id"] + 1, seen["id"] + 2, seen["id"] + 3]
        assert s.next(timeout=1) is None, "nothing more: no duplicates"
        s.close()


@test
def stream_reload_beyond_horizon(env):
    env.import_capture(DEMO, "demo", 2026)
    srv = Server(env.binary, env.db, 2, "--replay", "8", "--heartbeat", "1")
    try:
        seq = last_seq(env, "demo")
        for since in (1, seq + 5):
            s = Sse(srv.base, f"/live/demo/events?since={since}")
            e = s.next()
            assert e["event"] == "reload" and e["id"] is None, e
            pid = post(env, "demo", f"After reload {since}")
            e = s.next()
            assert e["event"] == "post" and e["data"]["post_id"] == pid, e
            s.close()
        # inside the horizon: replay
        seq = last_seq(env, "demo")
        s = Sse(srv.base, f"/live/demo/events?since={seq - 4}")
        assert [s.next()["id"] for _ in range(4)] == [seq - 3, seq - 2, seq - 1, seq]
        # heartbeat comments arrive on an idle stream
        assert s.next(timeout=2.5) is None and s.comments, s.comments
        assert s.comments[0] == ": keep-alive"
        s.close()
        for bad in ("x", "-1", "1.5"):
            assert curl(srv.base + "/live/demo/events?since=" + bad).status == 400
        assert curl(srv.base + "/live/nosuch/events").status == 404
    finally:
        srv.stop()


@test
def stream_drops_reader_who_stops_reading(env):
    env.import_capture(DEMO, "demo", 2026)
    srv = Server(env.binary, env.db, 1, "--replay", "4")
    try:
        host, port = srv.base.split("//")[1].split(":")
        slow = socket.socket()
        slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connect
        slow.connect((host, int(port)))
        slow.sendall(b"GET /live/demo/events HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.3)
        good = Sse(srv.base, "/live/demo/events")
        # The largest post a body may make (8 KiB of Markdown, "&" becoming
        # "&amp;"): each event is ~50 KB, and some dozens are more than the
        # kernel buffers of a loopback connection hold, so the reader falls
        # behind the ring of 4.
        big = (("&" * 15 + " ") * 500 + "\n").encode()
        ids = []
        for i in range(300):
            ids.append(post(env, "demo", f"Big {i}", big))
            e = good.next(timeout=5)
            assert e and e["data"]["post_id"] == ids[-1], "a slow reader must not hold up others"
            if "dropping a reader" in srv.log():
                break
        assert wait_for(lambda: "dropping a reader" in srv.log(), timeout=5), srv.log()[-2000:]
        good.close()
        slow.close()
    finally:
        srv.stop()


@test
def changes_json_for_pollers(env):
    env.import_capture(DEMO, "demo", 2026)
    with env.server() as srv:
        seq = last_seq(env, "demo")
        r = curl(srv.base + f"/live/demo/changes?since={seq - 2}")
        assert r.status == 200 and r.header("content-type").startswith("application/json")
        assert "max-age" in r.header("cache-control") and r.header("etag")
        doc = json.loads(r.body)
        assert doc["last_seq"] == seq and not doc["reload"]
        assert [c["seq"] for c in doc["changes"]] == [seq - 1, seq]
        pid = post(env, "demo", "Polled post")
        doc = wait_for(lambda: (lambda d: d if d["last_seq"] > seq else None)(
            json.loads(curl(srv.base + f"/live/demo/changes?since={seq}").body)), timeout=3)
        assert doc and doc["changes"][0]["post_id"] == pid and doc["changes"][0]["kind"] == "post"
        assert json.loads(curl(srv.base + "/live/demo/changes?since=99999").body)["reload"]
        assert curl(srv.base + "/live/demo/changes?since=abc").status == 400


@test
def text_form_and_follow(env):
    env.import_capture(DEMO, "demo", 2026)
    with env.server() as srv:
        r = curl(srv.base + "/live/demo.txt")
        assert r.status == 200 and r.header("content-type").startswith("text/plain")
        assert r.body == open(DEMO, "rb").read()
        # curl -N follows the page in a terminal
        host = srv.base
        p = subprocess.Popen(["curl", "-sN", "--max-time", "20", host + "/live/demo.txt?follow=1"],
                             stdout=subprocess.PIPE)
        snapshot = open(DEMO, "rb").read()
        out = p.stdout.read(len(snapshot))
        post(env, "demo", "Followed in a terminal", b"Seen in the terminal.\n", "--breaking")
        while b"Seen in the terminal." not in out:
            chunk = p.stdout.read1(65536)
            if not chunk:
                break
            out += chunk
        p.kill()  # the curl we started
        p.wait()
        text = out.decode()
        assert text.startswith(open(DEMO, encoding="utf-8").read())
        assert "  1. Followed in a terminalpublished at " in text, text[-500:]
        assert "    Breaking\n" in text.split("Followed in a terminal")[1]
        assert "    Seen in the terminal." in text


@test
def text_stream_gets_tcp_keepalive_at_the_heartbeat_interval(env):
    """A text stream has no comment syntax for the SSE heartbeat, so its socket
    gets TCP keepalive instead: after --heartbeat seconds without traffic the
    kernel probes the reader (which keeps NAT and firewall state, and ends the
    stream of a reader that has gone), and the reader sees no bytes of it. An
    SSE stream keeps its comment heartbeat and gets no keepalive."""
    if os.geteuid() != 0:
        raise Skip("needs root: a capture on lo and another process's socket")
    env.import_capture(DEMO, "demo", 2026)
    with Server(env.binary, env.db, 1, "--heartbeat", "1") as srv:
        (worker,) = srv.workers()
        port = int(srv.base.rsplit(":", 1)[1])
        cap = LoopbackCapture(port)
        text = socket.create_connection(("127.0.0.1", port))
        sse = socket.create_connection(("127.0.0.1", port))
        try:
            me = text.getsockname()[1]
            text.sendall(b"GET /live/demo.txt?follow=1 HTTP/1.1\r\nHost: x\r\n\r\n")
            got = bytearray()
            assert read_until(text, got, lambda b: b"\r\n\r\n" in b)
            assert got.startswith(b"HTTP/1.1 200 OK"), got[:200]
            # the hub holds the socket once the snapshot has gone
            assert wait_for(lambda: server_sockopt(worker, port, me, socket.SOL_SOCKET,
                                                   socket.SO_KEEPALIVE) == 1, timeout=5)
            for opt, want in ((socket.TCP_KEEPIDLE, 1), (socket.TCP_KEEPINTVL, 1),
                              (socket.TCP_KEEPCNT, 4)):
                assert server_sockopt(worker, port, me, socket.IPPROTO_TCP, opt) == want, opt
            snapshot = open(DEMO, "rb").read()
            assert read_until(text, got, lambda b: snapshot[-40:] in b)
            cap.segments(empty=True)
            # idle from here: what the server sends now carries no bytes
            probes = wait_for(lambda: [n for d, n in cap.segments(empty=True) if d == me]
                              or None, timeout=6)
            assert probes and all(n == 0 for n in probes), probes
            text.setblocking(False)
            try:
                extra = text.recv(65536)
            except BlockingIOError:
                extra = b""
            assert extra == b"", extra  # the reader saw nothing of the probes

            sse.sendall(b"GET /live/demo/events HTTP/1.1\r\nHost: x\r\n\r\n")
            assert read_until(sse, bytearray(), lambda b: b": keep-alive" in b)
            assert server_sockopt(worker, port, sse.getsockname()[1], socket.SOL_SOCKET,
                                  socket.SO_KEEPALIVE) == 0
        finally:
            text.close()
            sse.close()
            cap.close()


@test
def hostile_post_is_inert_everywhere(env):
    env.import_capture(DEMO, "demo", 2026)
    body = (b"<script>alert(1)</script>\n\n"
            b"<img src=x onerror=alert(2)>\n\n"
            b"[click](javascript:alert(3)) and <a href=\"javascript:alert(4)\">x</a>\n\n"
            b"![x\" onerror=\"alert(5)](https://example.com/a.png \"t\\\" onclick=\\\"alert(6)\")\n")
    with env.server() as srv:
        s = Sse(srv.base, "/live/demo/events")
        post(env, "demo", "<script>alert(7)</script>", body)
        e = s.next()
        s.close()
        html = e["data"]["html"]
        page = curl(srv.base + "/live/demo").text
        for doc in (html, page, curl(srv.base + "/live/demo/feed.atom").text,
                    curl(srv.base + "/live/demo/feed.rss").text,
                    curl(srv.base + "/live/demo/feed.json").text):
            assert "<script>alert" not in doc and "<img src=x" not in doc
            assert 'href="javascript:' not in doc
        # no element the browser would build from these has a handler or a script URL
        for doc in (html, page):
            for node in parse_html(doc).iter():
                # a script is a file of ours, or data (JSON-LD), never code
                assert node.tag != "script" or node.attrs.get("src") or \
                    node.attrs.get("type") == "application/ld+json", "inline script"
                for k, v in node.attrs.items():
                    assert not k.startswith("on"), (node.tag, k)
                    assert not (v or "").strip().lower().startswith("javascript:"), (node.tag, k, v)
        txt = curl(srv.base + "/live/demo.txt").text
        assert "<script>alert(7)</script>" in txt  # the text form is plain text: shown, not run
        assert curl(srv.base + "/live/demo.txt").header("content-type").startswith("text/plain")
        assert curl(srv.base + "/live/demo.txt").header("x-content-type-options") == "nosniff"


def raw_stream(base, path, version="HTTP/1.1"):
    """A stream request on a bare socket, to see the bytes on the wire."""
    host, port = base.split("//")[1].split(":")
    s = socket.create_connection((host, int(port)), timeout=5)
    s.sendall(f"GET {path} {version}\r\nHost: x\r\n\r\n".encode())
    return s


def read_until(sock, buf, pred, timeout=5):
    """Reads into buf (a bytearray) until pred(buf); returns pred's result, or
    None at end of stream or timeout."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        r = pred(buf)
        if r:
            return r
        sock.settimeout(max(0.01, deadline - time.time()))
        try:
            chunk = sock.recv(65536)
        except (socket.timeout, TimeoutError):
            break
        except ConnectionResetError:
            return pred(buf)
        if not chunk:
            return pred(buf)
        buf += chunk
    return pred(buf)


def read_to_eof(sock, buf, timeout=10):
    """Reads into buf until the server closes; True at end of stream (or a
    reset), False if it was still open at the timeout."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        sock.settimeout(max(0.01, deadline - time.time()))
        try:
            chunk = sock.recv(65536)
        except (socket.timeout, TimeoutError):
            return False
        except ConnectionResetError:
            return True
        if not chunk:
            return True
        buf += chunk
    return False


def dechunk(body):
    """Decodes a chunked body strictly: returns (data, ended) or raises."""
    out, pos = bytearray(), 0
    while pos < len(body):
        eol = body.index(b"\r\n", pos)
        size = int(body[pos:eol], 16)
        start = eol + 2
        assert body[start + size:start + size + 2] == b"\r\n", body[pos:pos + 80]
        if size == 0:
            assert start + 2 == len(body), "bytes after the last chunk"
            return bytes(out), True
        out += body[start:start + size]
        pos = start + size + 2
    return bytes(out), False


@test
def stream_wire_is_chunked_for_http11_and_plain_for_http10(env):
    """Once the server holds a stream's socket itself it must keep the framing the
    response headers promised: chunks for HTTP/1.1, bare bytes for HTTP/1.0, and
    a clean last chunk when the server stops."""
    env.import_capture(DEMO, "demo", 2026)
    srv = Server(env.binary, env.db, 2)
    try:
        s11 = raw_stream(srv.base, "/live/demo/events")
        s10 = raw_stream(srv.base, "/live/demo/events", "HTTP/1.0")
        b11, b10 = bytearray(), bytearray()
        hello = b"retry: 3000\n\n"
        assert read_until(s11, b11, lambda b: hello in b), bytes(b11)
        assert read_until(s10, b10, lambda b: hello in b), bytes(b10)
        pid = post(env, "demo", "Wire check")
        mark = f'"post_id":{pid},'.encode()
        assert read_until(s11, b11, lambda b: mark in b and b.endswith(b"\n\n\r\n")), bytes(b11)
        assert read_until(s10, b10, lambda b: mark in b and b.endswith(b"\n\n")), bytes(b10)

        head11, _, body11 = bytes(b11).partition(b"\r\n\r\n")
        head10, _, body10 = bytes(b10).partition(b"\r\n\r\n")
        assert head11.startswith(b"HTTP/1.1 200") and b"transfer-encoding: chunked" in head11.lower()
        assert head10.startswith(b"HTTP/1.") and b"transfer-encoding" not in head10.lower()
        data11, ended = dechunk(body11)
        assert not ended
        # the same events, byte for byte, whatever the framing
        assert data11 == body10, (data11[:200], body10[:200])
        assert data11.startswith(hello)
        ev = data11[len(hello):].decode()
        assert ev.startswith(f"id: {last_seq(env, 'demo')}\nevent: post\ndata: {{")
        assert ev.endswith("\n\n") and ev.count("\n\n") == 1

        # stopping the server ends both: the chunked stream with its last chunk
        assert srv.stop() == 0
        assert read_to_eof(s11, b11) and read_to_eof(s10, b10)
        data11, ended = dechunk(bytes(b11).partition(b"\r\n\r\n")[2])
        assert ended, bytes(b11)[-40:]
        s11.close()
        s10.close()
    finally:
        srv.stop()


@test
def stream_connection_cap_counts_open_streams(env):
    """--connections caps what a worker holds, streams included; a reader who
    leaves frees its place at once."""
    env.import_capture(DEMO, "demo", 2026)
    srv = Server(env.binary, env.db, 1, "--connections", "16")
    try:
        streams = []
        for _ in range(16):
            s = raw_stream(srv.base, "/live/demo/events")
            buf = bytearray()
            assert read_until(s, buf, lambda b: b"retry: 3000" in b), bytes(buf)
            streams.append(s)
        # the 17th connection is closed without an answer
        extra = raw_stream(srv.base, "/live/demo")
        buf = bytearray()
        assert read_to_eof(extra, buf, timeout=5)
        assert not buf.startswith(b"HTTP/"), bytes(buf[:100])
        extra.close()
        assert "refusing connections" in srv.log()
        # the open streams still get every post
        pid = post(env, "demo", "At the cap")
        for s in streams:
            buf = bytearray()
            assert read_until(s, buf, lambda b: f'"post_id":{pid},'.encode() in b), bytes(buf)
        # readers leave: their places are free again
        for s in streams[:4]:
            s.close()
        assert wait_for(lambda: curl(srv.base + "/live/demo").status == 200, timeout=5)
        for s in streams[4:]:
            s.close()
        again = []
        for _ in range(15):
            s = raw_stream(srv.base, "/live/demo/events")
            buf = bytearray()
            assert read_until(s, buf, lambda b: b"retry: 3000" in b), "a left reader's place was kept"
            again.append(s)
        for s in again:
            s.close()
    finally:
        srv.stop()


@test
def stream_reader_input_or_leaving_ends_the_stream(env):
    """A reader sends nothing on a stream: bytes after the request (a pipelined
    request, garbage) end it, and so does a reader half-closing its side. The
    server goes on serving everyone else."""
    env.import_capture(DEMO, "demo", 2026)
    with env.server(workers=1) as srv:
        other = Sse(srv.base, "/live/demo/events")
        s = raw_stream(srv.base, "/live/demo/events")
        buf = bytearray()
        assert read_until(s, buf, lambda b: b"retry: 3000" in b)
        s.sendall(b"GET /live/demo HTTP/1.1\r\nHost: x\r\n\r\n")
        buf = bytearray()
        assert read_to_eof(s, buf, timeout=5), "the stream stayed open"
        assert b"HTTP/1.1 200" not in buf, "a pipelined request must not be answered on a stream"
        s.close()

        h = raw_stream(srv.base, "/live/demo/events")
        buf = bytearray()
        assert read_until(h, buf, lambda b: b"retry: 3000" in b)
        h.shutdown(socket.SHUT_WR)
        buf = bytearray()
        assert read_to_eof(h, buf, timeout=5), "a reader who left was not noticed"
        h.close()

        pid = post(env, "demo", "Still serving")
        e = other.next(timeout=5)
        assert e and e["data"]["post_id"] == pid
        other.close()
        assert curl(srv.base + "/live/demo").status == 200


@test
def stream_churn_while_posts_fan_out(env):
    """The hub sends from a thread of its own while the worker's thread opens
    streams, adds events and answers pollers of /changes. Readers arriving and
    leaving in every way (after the first bytes or before, closing, resetting,
    half-closing) and pollers while posts fan out to steady readers: each steady
    reader gets every post exactly once and in order, every poll is consistent,
    and the worker neither dies nor trips a sanitizer."""
    env.import_capture(DEMO, "demo", 2026)
    srv = Server(env.binary, env.db, 1)
    try:
        worker = srv.workers()
        steady = [raw_stream(srv.base, "/live/demo/events", "HTTP/1.0") for _ in range(40)]
        for s in steady:
            assert read_until(s, bytearray(), lambda b: b"retry: 3000" in b)

        stop = threading.Event()
        churned = [0]

        def churn():
            i = 0
            while not stop.is_set() and i < 2000:
                try:
                    s = raw_stream(srv.base, "/live/demo/events")
                    if i % 4 != 0:
                        read_until(s, bytearray(), lambda b: b"retry: 3000" in b, timeout=2)
                    if i % 3 == 0:  # reset instead of a clean close
                        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    elif i % 3 == 1:
                        s.shutdown(socket.SHUT_WR)
                    s.close()
                    churned[0] += 1
                except OSError:
                    pass
                i += 1

        # Pollers of /changes read the ring on the worker's thread without the
        # hub's lock: each answer must still be whole and consistent.
        first = json.loads(curl(srv.base + "/live/demo/changes?since=0").body)["last_seq"]
        polled, bad = [0], []

        def poll():
            k = 0
            while not stop.is_set() and k < 2000:
                since = max(0, first - 3 + k % 6)  # some ahead of the page at first
                r = curl(srv.base + f"/live/demo/changes?since={since}")
                doc = json.loads(r.body) if r.status == 200 else None
                if not doc or doc["last_seq"] < first:
                    bad.append((since, r.status, r.body[:200]))
                elif doc["reload"] != (since > doc["last_seq"]) or \
                        [c["seq"] for c in doc["changes"]] != list(range(since + 1, doc["last_seq"] + 1)):
                    bad.append((since, r.status, r.body[:200]))
                polled[0] += 1
                k += 1

        t = threading.Thread(target=churn)
        p = threading.Thread(target=poll)
        t.start()
        p.start()
        try:
            pids = [post(env, "demo", f"Churn {k}") for k in range(15)]
        finally:
            stop.set()
            t.join(timeout=30)
            p.join(timeout=30)
        assert churned[0] > 20, churned[0]
        assert polled[0] > 10 and not bad, (polled[0], bad[:3])

        for s in steady:
            buf = bytearray()
            assert read_until(s, buf, lambda b: f'"post_id":{pids[-1]},'.encode() in b), bytes(buf[-300:])
            places = [buf.find(f'"post_id":{pid},'.encode()) for pid in pids]
            assert all(p >= 0 for p in places) and places == sorted(places), places
            for pid in pids:
                assert buf.count(f'"post_id":{pid},'.encode()) == 1, pid
            s.close()
        assert srv.workers() == worker, "the worker was restarted"
        assert curl(srv.base + "/live/demo").status == 200
    finally:
        srv.stop()
