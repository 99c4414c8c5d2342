"""End-to-end tests of "N reading now" (issue 20): the count of a page's open
streams, summed over every worker (and every node on one PostgreSQL), sent to
the streams that ask for it (`?readers=1`) as a `readers` event without an id.

Each worker writes its own counts to the store every few seconds and reads the
sums back, so every figure is awaited with a generous bound, never timed; what
is asserted is the figure each stream ends up with, which no single worker
could know alone. Which worker holds a stream is read from /proc: the socket
the client connected with is found among the worker's descriptors (the hub
keeps one of its own per stream).
"""
import http.client
import json
import os
import signal
import socket
import time

from lib import DEMO, Server, curl, parse_html, test, wait_for
from test_browser import run_node
from test_stream import last_seq
from test_stream import post as post_to

SLUG = "demo"
EVENTS = f"/live/{SLUG}/events?readers=1"
WAIT = 60  # seconds a figure may take: a few periods of LIVE_READERS_PERIOD_S, and slack


def socket_inode(client_port, server_port):
    """The inode of the server's end of a loopback connection, or None."""
    want_local = f"0100007F:{server_port:04X}"
    want_remote = f"0100007F:{client_port:04X}"
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            if fields[1] == want_local and fields[2] == want_remote:
                return fields[9]
    return None


def worker_of(srv, sse):
    """The PID of the worker whose descriptors hold `sse`'s socket, or None."""
    server_port = int(srv.base.rsplit(":", 1)[1])
    inode = socket_inode(sse.sock.getsockname()[1], server_port)
    if not inode:
        return None
    for pid in srv.workers():
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]":
                    return pid
            except OSError:
                continue
    return None


class Stream:
    """An SSE stream over a raw socket (HTTP/1.0, so the body is the events
    themselves): reads may time out and go on, which http.client's chunked
    reader (test_stream.Sse) cannot do."""

    def __init__(self, base, path, last_event_id=None):
        host, port = base.split("//")[1].split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=10)
        extra = f"Last-Event-ID: {last_event_id}\r\n" if last_event_id is not None else ""
        self.sock.sendall(f"GET {path} HTTP/1.0\r\nHost: {host}:{port}\r\n"
                          f"Accept: text/event-stream\r\n{extra}\r\n".encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(4096)
            assert chunk, self.buf
            self.buf += chunk
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        self.status = int(head.split()[1])

    def next(self, timeout=5):
        """The next event (a dict with id, event, data) or None on timeout
        or the stream's end; comments and retry lines are skipped."""
        deadline = time.time() + timeout
        while True:
            while b"\n\n" in self.buf:
                block, self.buf = self.buf.split(b"\n\n", 1)
                ev = {"id": None, "event": "message", "data": []}
                for line in block.decode().split("\n"):
                    if line.startswith(":") or not line:
                        continue
                    field, _, value = line.partition(":")
                    value = value[1:] if value.startswith(" ") else value
                    if field == "data":
                        ev["data"].append(value)
                    elif field == "id":
                        ev["id"] = int(value)
                    elif field == "event":
                        ev["event"] = value
                if ev["data"]:
                    ev["data"] = json.loads("\n".join(ev["data"]))
                    return ev
            left = deadline - time.time()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except (socket.timeout, TimeoutError):
                return None
            if not chunk:
                return None
            self.buf += chunk

    def close(self):
        self.sock.close()


def open_stream(base, path=EVENTS, **kw):
    s = Stream(base, path, **kw)
    assert s.status == 200, s.status
    return s


def open_on_every_worker(srv, at_least):
    """Streams (at least `at_least`) until every worker of `srv` holds one;
    {pid: [streams]}. The kernel spreads connections over the workers'
    sockets, so a few dozen are always enough."""
    streams, by_worker = [], {}
    workers = set(srv.workers())
    for _ in range(64):
        s = open_stream(srv.base)
        streams.append(s)
        wait_for(lambda: worker_of(srv, s) is not None, timeout=10)
        pid = worker_of(srv, s)
        assert pid in workers, (pid, workers)
        by_worker.setdefault(pid, []).append(s)
        if len(streams) >= at_least and set(by_worker) == workers:
            return by_worker
    raise AssertionError(f"64 streams all went to {set(by_worker)} of {workers}")


class Figures:
    """The newest `readers` figure each stream got, read as events come."""

    def __init__(self):
        self.last = {}

    def pump(self, s, timeout=0.5):
        """Reads what `s` has (for up to `timeout`); the events other than
        `readers` are returned, in order."""
        others = []
        while True:
            e = s.next(timeout=timeout)
            if e is None:
                return others
            if e["event"] == "readers":
                assert e["id"] is None, e  # never an id: Last-Event-ID stays the post's
                assert e["data"] == {"kind": "readers", "readers": e["data"]["readers"]}, e
                self.last[id(s)] = e["data"]["readers"]
            else:
                others.append(e)
            timeout = 0.05

    def await_all(self, streams, n):
        """Until every stream's newest figure is `n` (bounded)."""
        deadline = time.time() + WAIT
        while time.time() < deadline:
            for s in streams:
                if self.last.get(id(s)) != n:
                    self.pump(s)
            if all(self.last.get(id(s)) == n for s in streams):
                return
        raise AssertionError(f"wanted {n}: got {[self.last.get(id(s)) for s in streams]}")


def close_all(streams):
    for s in streams:
        s.close()


@test
def readers_are_summed_over_workers_and_fall_when_streams_close(env):
    env.import_capture(DEMO, SLUG, 2026)
    with Server(env.binary, env.db, 2) as srv:
        by_worker = open_on_every_worker(srv, 6)
        streams = [s for ss in by_worker.values() for s in ss]
        n = len(streams)
        # Each worker counts only its own streams: a figure of n on every
        # stream is the sum over both.
        assert all(len(ss) < n for ss in by_worker.values())
        figures = Figures()
        figures.await_all(streams, n)
        # A text stream (?follow=1) is a reader too.
        text = curl_stream(srv.base, f"/live/{SLUG}.txt?follow=1")
        figures.await_all(streams, n + 1)
        text.close()
        figures.await_all(streams, n)
        # Those who leave stop counting, whichever worker held them.
        gone = [ss[0] for ss in by_worker.values()]
        close_all(gone)
        kept = [s for s in streams if s not in gone]
        figures.await_all(kept, len(kept))
        close_all(kept)
        # The store keeps no rows of readers who are gone.
        assert wait_for(lambda: readers_rows(env) == 0, timeout=WAIT), readers_rows(env)
        assert "ERROR" not in srv.log(), srv.log()


def curl_stream(base, path):
    """A text stream held open (only counted, never read here)."""
    host, port = base.split("//")[1].split(":")
    c = http.client.HTTPConnection(host, int(port), timeout=10)
    c.request("GET", path)
    r = c.getresponse()
    assert r.status == 200, r.status
    return c


def readers_rows(env):
    return int(env.sql_one("SELECT coalesce(sum(readers), 0) FROM readers")[0])


@test
def readers_events_leave_resume_exact_and_only_go_to_who_asked(env):
    env.import_capture(DEMO, SLUG, 2026)
    with Server(env.binary, env.db, 2) as srv:
        plain = open_stream(srv.base, f"/live/{SLUG}/events")
        asking = open_stream(srv.base)
        figures = Figures()
        figures.await_all([asking], 2)
        # A post between figures: its id is the page's sequence number.
        seq = post(env, "Between figures")
        events = []
        deadline = time.time() + WAIT
        while not events and time.time() < deadline:
            events = figures.pump(asking)
        assert [e["event"] for e in events] == ["post"], events
        assert events[0]["id"] == seq, events
        # More readers: a new figure, after the post, with no id of its own.
        more = [open_stream(srv.base) for _ in range(3)]
        figures.await_all([asking], 5)
        # Resuming from the post's id (what EventSource sends as
        # Last-Event-ID after a figure) replays exactly what came after it.
        seq2 = post(env, "After the figure")
        resumed = open_stream(srv.base, EVENTS.replace("?readers=1", ""), last_event_id=seq)
        e = resumed.next(timeout=WAIT)
        assert e and e["event"] == "post" and e["id"] == seq2, e
        # A stream that did not ask never got a figure, only the posts.
        got = []
        while (e := plain.next(timeout=2)) is not None:
            got.append(e)
        assert [(e["event"], e["id"]) for e in got] == [("post", seq), ("post", seq2)], got
        close_all([plain, asking, resumed, *more])


def post(env, title):
    """Publishes a post; the sequence number of its change."""
    post_to(env, SLUG, title)
    return last_seq(env, SLUG)


@test
def page_has_an_empty_figure_that_the_cache_keeps(env):
    env.import_capture(DEMO, SLUG, 2026)
    for i in range(16):  # 40 posts: ?page=1 is an older page
        env.cli.run("post", SLUG, "--title", f"Later {i}", stdin=b"More.", check=0)
    with Server(env.binary, env.db, 1) as srv:
        page = curl(srv.base + f"/live/{SLUG}")
        doc = parse_html(page.text)
        fig = doc.find("p", cls="readers-now")
        assert fig is not None and "hidden" in fig.attrs, page.text
        assert fig.text().strip() == ""
        assert "aria-live" not in fig.attrs
        # Only the newest page, the one that follows the stream, has it.
        older = curl(srv.base + f"/live/{SLUG}?page=1")
        assert older.status == 200 and parse_html(older.text).find("p", cls="readers-now") is None
        # Readers coming do not change the cached page: the same ETag.
        streams = [open_stream(srv.base) for _ in range(3)]
        Figures().await_all(streams, 3)
        again = curl(srv.base + f"/live/{SLUG}")
        assert again.header("etag") == page.header("etag")
        close_all(streams)


@test(backends=("pg",), why="several nodes share one PostgreSQL")
def readers_of_every_node_are_summed(env):
    env.import_capture(DEMO, SLUG, 2026)
    with Server(env.binary, env.db, 2) as a, Server(env.binary, env.db, 1) as b:
        on_a = [open_stream(a.base) for _ in range(3)]
        on_b = [open_stream(b.base) for _ in range(2)]
        figures = Figures()
        figures.await_all(on_a + on_b, 5)
        close_all(on_b)
        figures.await_all(on_a, 3)
        close_all(on_a)


@test
def a_dead_workers_readers_fall_away(env):
    env.import_capture(DEMO, SLUG, 2026)
    with Server(env.binary, env.db, 2) as srv:
        by_worker = open_on_every_worker(srv, 4)
        streams = [s for ss in by_worker.values() for s in ss]
        figures = Figures()
        figures.await_all(streams, len(streams))
        # SIGKILL one worker: it says nothing, and its rows stay until they go
        # stale; the other worker's readers then see only themselves.
        victim = next(iter(by_worker))
        survivors = [s for pid, ss in by_worker.items() if pid != victim for s in ss]
        os.kill(victim, signal.SIGKILL)
        figures.await_all(survivors, len(survivors))
        close_all(streams)


@test
def browser_shows_the_figure_and_follows_open_pages(env):
    run_node(env, "reach_readers_figure.mjs")
