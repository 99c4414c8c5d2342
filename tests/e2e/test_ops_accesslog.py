"""End-to-end tests of the access log (serve --access-log, --access-log-format),
its reopening on SIGUSR1 (logrotate), and the lifecycle lines of the diagnostic
log (start, a worker killed and restarted, stop; --log-level). The formats are
docs/operations.md's "Logs".
"""
import gzip
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time

from lib import DEMO, Api, Server, add_staff, missing, request, test, wait_for
from test_hardening_durable import catch_starting_worker, proc_state
from test_stream import Sse, post

# The combined format as docs/operations.md gives it. No field may hold a raw
# '"' (the log writes \x22), so a quoted field is [^"]*.
COMBINED = re.compile(
    r'^(?P<addr>\S+) - - \[(?P<time>\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4})\] '
    r'"(?P<request>[^"]*)" (?P<status>\d{3}|0) (?P<bytes>\d+) '
    r'"(?P<referer>[^"]*)" "(?P<ua>[^"]*)" (?P<duration>\d+\.\d{3}) (?P<events>-|\d+)$')


def log_server(env, fmt=None, *extra, workers=2):
    path = os.path.join(env.dir, "access.log")
    args = ["--access-log", path, *extra]
    if fmt:
        args += ["--access-log-format", fmt]
    return Server(env.binary, env.db, workers, *args), path


def lines_of(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return []
    assert not data or data.endswith(b"\n"), data[-200:]  # whole lines only
    return data.decode("ascii").splitlines()


def parsed(path):
    out = []
    for line in lines_of(path):
        m = COMBINED.match(line)
        assert m, line
        out.append(m.groupdict())
    return out


def with_ua(path, ua, n=1, timeout=10):
    """The lines whose User-Agent is `ua`, once there are `n` (a worker writes
    within a second): asserts there are exactly `n`."""
    def mine():
        return [e for e in parsed(path) if e["ua"] == ua]
    wait_for(lambda: len(mine()) >= n, timeout=timeout)
    got = mine()
    assert len(got) == n, (ua, got, lines_of(path))
    return got


def raw_request(base, data, timeout=10):
    host, port = base.split("//")[1].split(":")
    s = socket.create_connection((host, int(port)), timeout=timeout)
    try:
        s.sendall(data)
        out = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
        return out
    finally:
        s.close()


@test
def accesslog_one_line_per_request(env):
    """A page, a 404 and a POST through the API each give exactly one line with
    their status, the bytes of their body and the client's address; behind a
    trusted proxy, the address the proxy forwards."""
    env.import_capture(DEMO, "demo", 2026)
    tokens = add_staff(env)
    srv, path = log_server(env, None, "--trusted-proxy", "127.0.0.1,::1")
    with srv:
        page = request(srv.base, "GET", "/live/demo", headers={"User-Agent": "e2e-page",
                                                                "Referer": "http://ref.example/x"})
        assert page.status == 200
        missing = request(srv.base, "GET", "/live/no-such-page?x=1",
                          headers={"User-Agent": "e2e-404"})
        assert missing.status == 404
        api = Api(srv.base, token=tokens["eve"])
        made = api.call("POST", "/pages/demo/posts", {"title": "Logged", "body": "Text."},
                        headers={"User-Agent": "e2e-post", "X-Forwarded-For": "198.51.100.9"})
        assert made.status == 201, made.body
        fwd = request(srv.base, "GET", "/live/demo", headers={
            "User-Agent": "e2e-forwarded", "X-Forwarded-For": "203.0.113.7"})
        assert fwd.status == 200

        (e,) = with_ua(path, "e2e-page")
        assert e["request"] == "GET /live/demo HTTP/1.1", e
        assert (e["status"], int(e["bytes"])) == ("200", len(page.body)), e
        assert e["addr"] == "127.0.0.1" and e["referer"] == "http://ref.example/x", e
        assert e["events"] == "-", e
        (e,) = with_ua(path, "e2e-404")
        assert e["request"] == "GET /live/no-such-page?x=1 HTTP/1.1", e
        assert (e["status"], int(e["bytes"])) == ("404", len(missing.body)), e
        (e,) = with_ua(path, "e2e-post")
        assert e["request"] == "POST /api/v1/pages/demo/posts HTTP/1.1", e
        assert (e["status"], int(e["bytes"])) == ("201", len(made.body)), e
        assert e["addr"] == "198.51.100.9", e  # answered on the newsroom thread, logged here
        (e,) = with_ua(path, "e2e-forwarded")
        assert e["addr"] == "203.0.113.7", e
        assert int(e["bytes"]) == len(fwd.body), e
        # A HEAD has no body to count.
        head = request(srv.base, "HEAD", "/live/demo", headers={"User-Agent": "e2e-head"})
        assert head.status == 200
        (e,) = with_ua(path, "e2e-head")
        assert (e["status"], e["bytes"]) == ("200", "0"), e
        # Every line is whole and in the format, one per request.
        assert len(lines_of(path)) == 5, lines_of(path)


@test
def accesslog_hostile_request_cannot_forge_a_line(env):
    """A request target and headers holding quotes, backslashes, control bytes
    and bytes that are not ASCII stay one field of one line (\\xHH), in the
    combined format and in JSON."""
    target = b'/live/x"\\\x01\xff?q=" 200 0 "-" "-" 0.000 -'
    ua = b'hostile" "\\\x01\x7f\xff\tnext'
    req = (b"GET " + target.replace(b" ", b"%20") + b" HTTP/1.1\r\nHost: x\r\nUser-Agent: " +
           ua + b"\r\nReferer: r\"\x0b\r\nConnection: close\r\n\r\n")
    srv, path = log_server(env)
    with srv:
        assert raw_request(srv.base, req).startswith(b"HTTP/1.1 404")
        got = wait_for(lambda: lines_of(path), timeout=10)
        assert len(got) == 1, got
        e = COMBINED.match(got[0])
        assert e, got[0]
        assert e["request"] == ('GET /live/x\\x22\\x5C\\x01\\xFF?q=\\x22%20200%200%20\\x22-'
                                '\\x22%20\\x22-\\x22%200.000%20- HTTP/1.1'), e["request"]
        assert e["ua"] == "hostile\\x22 \\x22\\x5C\\x01\\x7F\\xFF\\x09next", e["ua"]
        assert e["referer"] == "r\\x22\\x0B", e["referer"]
        assert e["status"] == "404"
    os.unlink(path)
    srv, path = log_server(env, "json")
    with srv:
        assert raw_request(srv.base, req).startswith(b"HTTP/1.1 404")
        got = wait_for(lambda: lines_of(path), timeout=10)
        assert len(got) == 1, got
        j = json.loads(got[0])
        # Not UTF-8: written as in the combined format, then as a JSON string.
        assert j["target"].startswith('/live/x\\x22\\x5C\\x01\\xFF?q='), j
        assert j["user_agent"] == "hostile\\x22 \\x22\\x5C\\x01\\x7F\\xFF\\x09next", j
        # UTF-8: jansson's own escaping, and the string comes back as sent.
        assert j["referer"] == 'r"\x0b', j
        assert j["status"] == 404


@test
def accesslog_stream_line_when_it_closes(env):
    """A stream's line is written when it ends, not when it opens: with its
    status, the bytes and events sent (at least the post published while it
    was open), and how long it lasted."""
    env.import_capture(DEMO, "demo", 2026)
    srv, path = log_server(env)
    with srv:
        s = Sse(srv.base, "/live/demo/events")
        assert s.resp.status == 200
        pid = post(env, "demo", "While the stream is open")
        ev = s.next(timeout=10)
        assert ev and ev["event"] == "post" and ev["data"]["post_id"] == pid, ev
        # Another request's line is written after the event was sent: the
        # open stream still has none.
        assert request(srv.base, "GET", "/", headers={"User-Agent": "e2e-after"}).status == 200
        with_ua(path, "e2e-after")
        assert not [e for e in parsed(path) if "/events" in e["request"]], lines_of(path)
        s.close()
        got = wait_for(lambda: [e for e in parsed(path) if "/events" in e["request"]],
                       timeout=10)
        assert len(got) == 1, lines_of(path)
        e = got[0]
        assert e["request"] == "GET /live/demo/events HTTP/1.1", e
        assert e["status"] == "200" and e["events"] != "-" and int(e["events"]) >= 1, e
        assert int(e["bytes"]) > 0, e


@test
def accesslog_json_lines(env):
    """--access-log-format json: every line is a JSON object with the named
    fields, a stream's with its events."""
    env.import_capture(DEMO, "demo", 2026)
    srv, path = log_server(env, "json")
    with srv:
        r = request(srv.base, "GET", "/live/demo", headers={"User-Agent": "e2e-json"})
        assert r.status == 200
        s = Sse(srv.base, "/live/demo/events")
        post(env, "demo", "For the JSON log")
        assert s.next(timeout=10)
        s.close()
        got = wait_for(lambda: len(lines_of(path)) >= 2 and lines_of(path), timeout=10)
        assert got and len(got) == 2, got
        docs = [json.loads(line) for line in got]
        page = [d for d in docs if d["target"] == "/live/demo"][0]
        assert set(page) == {"time", "addr", "method", "target", "protocol", "status",
                             "bytes", "referer", "user_agent", "duration", "stream",
                             "events"}, page
        assert page["addr"] == "127.0.0.1" and page["method"] == "GET", page
        assert page["protocol"] == "HTTP/1.1" and page["status"] == 200, page
        assert page["bytes"] == len(r.body) and page["referer"] is None, page
        assert page["user_agent"] == "e2e-json" and page["stream"] is False, page
        assert page["events"] is None and isinstance(page["duration"], (int, float)), page
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", page["time"]), page
        stream = [d for d in docs if d["target"] == "/live/demo/events"][0]
        assert stream["stream"] is True and stream["events"] >= 1, stream


@test
def accesslog_reopened_on_sigusr1(env):
    """logrotate's way: the file is moved, SIGUSR1 goes to the master, which
    passes it to every worker; the lines before the signal are all in the
    moved file, those after all in the new one, and no process died or was
    restarted."""
    srv, path = log_server(env, None, "--log-level", "debug", workers=2)
    with srv:
        workers = sorted(srv.workers())
        before, after = 40, 40
        for i in range(before):
            # A new connection each: SO_REUSEPORT spreads them over both workers.
            assert request(srv.base, "GET", "/", headers={"User-Agent": f"before-{i}"}).status == 200
        os.rename(path, path + ".1")
        srv.proc.send_signal(signal.SIGUSR1)
        assert wait_for(lambda: srv.log().count("the access log is open again") == 2,
                        timeout=10), srv.log()
        assert "reopening the access log (SIGUSR1): 2 workers told" in srv.log()
        for i in range(after):
            assert request(srv.base, "GET", "/", headers={"User-Agent": f"after-{i}"}).status == 200
        assert wait_for(lambda: len(lines_of(path)) == after, timeout=10), lines_of(path)
        old = parsed(path + ".1")
        new = parsed(path)
        assert sorted(e["ua"] for e in old) == sorted(f"before-{i}" for i in range(before))
        assert sorted(e["ua"] for e in new) == sorted(f"after-{i}" for i in range(after))
        assert srv.proc.poll() is None
        assert sorted(srv.workers()) == workers, srv.log()
        assert "died" not in srv.log(), srv.log()


@test
def accesslog_sigusr1_while_a_worker_starts(env):
    """A worker being started again gets SIGUSR1 before its loop runs: caught
    stopped before it listens, it is sent the master's SIGUSR1s, and once let
    go it does not die of them (the default action) but serves, and reopens
    its access log when its loop reads the signal that waited; and SIGUSR1s
    sent over and over while another restart runs end no process."""
    srv, path = log_server(env, None, "--log-level", "debug", workers=1)
    with srv:
        (victim,) = srv.workers()
        os.kill(victim, signal.SIGKILL)
        caught = catch_starting_worker(srv, {victim})
        told = srv.log().count("reopening the access log")
        srv.proc.send_signal(signal.SIGUSR1)
        assert wait_for(lambda: srv.log().count("reopening the access log") > told, timeout=10)
        os.kill(caught, signal.SIGCONT)
        assert wait_for(lambda: f"worker {caught} is serving" in srv.log(), timeout=30), srv.log()
        assert wait_for(lambda: f"liveline[{caught}] debug: worker: the access log is open "
                        "again" in srv.log(), timeout=10), srv.log()
        assert proc_state(caught) not in (None, "Z")
        assert request(srv.base, "GET", "/").status == 200

        # And a rain of them through a whole restart.
        died = srv.log().count(" died ")
        os.kill(caught, signal.SIGKILL)
        deadline = time.time() + 2
        while time.time() < deadline:
            srv.proc.send_signal(signal.SIGUSR1)
            time.sleep(0.005)
        assert wait_for(lambda: len(srv.workers()) == 1 and srv.workers()[0] != caught
                        and srv.log().count("is serving (restart") >= 2, timeout=10), srv.log()
        assert srv.proc.poll() is None
        assert srv.log().count(" died ") == died + 1, srv.log()
        assert request(srv.base, "GET", "/").status == 200


@test
def accesslog_bad_settings_are_refused(env):
    """A format other than combined or json, a level that is not one and an
    access log that cannot be opened are refused before serving."""
    p = env.cli.run("serve", "--listen", "127.0.0.1:0", "--access-log-format", "common")
    assert p.returncode == 2 and b"--access-log-format is combined or json" in p.stderr, p.stderr
    p = env.cli.run("serve", "--listen", "127.0.0.1:0", "--log-level", "verbose")
    assert p.returncode == 2 and b"--log-level is error, warn, info or debug" in p.stderr
    p = env.cli.run("serve", "--listen", "127.0.0.1:0", "--access-log",
                    os.path.join(env.dir, "no-such-folder", "access.log"))
    assert p.returncode == 1 and b"cannot open the access log" in p.stderr, p.stderr
    out = env.cli.run("serve", "--help", check=0).stdout
    for flag in (b"--access-log FILE", b"--access-log-format", b"--log-level"):
        assert flag in out, flag


def lifecycle_lines(log):
    return [l for l in log.splitlines() if " liveline[" in l]


@test
def lifecycle_lines_start_restart_stop(env):
    """The diagnostic log says, once each and at its level: the server started
    (with its workers), a worker died (its pid, how, the restart's delay) and
    serves again, and the server is stopping and stopped (the signal)."""
    srv = Server(env.binary, env.db, 2)
    master = srv.proc.pid
    assert wait_for(lambda: "serving" in srv.log(), timeout=10)
    victim = srv.workers()[0]
    os.kill(victim, signal.SIGKILL)
    assert wait_for(lambda: "is serving (restart 1" in srv.log(), timeout=10), srv.log()
    srv.proc.send_signal(signal.SIGTERM)
    srv.proc.wait(timeout=15)
    log = srv.log()
    assert srv.stop() == 0
    lines = lifecycle_lines(log)

    def one(pattern):
        got = [l for l in lines if re.search(pattern, l)]
        assert len(got) == 1, (pattern, lines)
        return got[0]

    one(rf"liveline\[{master}\] info: serving .* with 2 workers$")
    one(rf"liveline\[{master}\] warn: worker {victim} died of signal 9 while serving; "
        r"restarting it in 100 ms$")
    one(rf"liveline\[{master}\] info: worker \d+ is serving \(restart 1 of slot [01]\)$")
    one(rf"liveline\[{master}\] info: stopping \(signal 15\): ending 2 workers")
    assert len([l for l in lines if re.search(r"info: worker: stopping \(signal 15\)$", l)]) == 2
    one(rf"liveline\[{master}\] info: stopped \(signal 15\)$")
    # No debug lines at the default level.
    assert not [l for l in lines if " debug: " in l], lines


@test
def lifecycle_log_level(env):
    """--log-level warn keeps info lines out and warnings in; debug adds each
    worker's start and stop."""
    srv = Server(env.binary, env.db, 1, "--log-level", "warn")
    (victim,) = srv.workers()
    os.kill(victim, signal.SIGKILL)
    assert wait_for(lambda: "died of signal 9" in srv.log(), timeout=10), srv.log()
    assert wait_for(lambda: len(srv.workers()) == 1 and srv.workers()[0] != victim, timeout=10)
    srv.proc.send_signal(signal.SIGTERM)
    srv.proc.wait(timeout=15)
    log = srv.log()
    srv.stop()
    assert " info: " not in log, log
    assert " warn: worker " in log, log

    srv = Server(env.binary, env.db, 1, "--log-level", "debug")
    (pid,) = srv.workers()
    srv.proc.send_signal(signal.SIGTERM)
    srv.proc.wait(timeout=15)
    log = srv.log()
    srv.stop()
    assert re.search(rf"debug: worker {pid} started \(slot 0\)", log), log
    assert re.search(rf"debug: worker {pid} stopped \(status 0\)", log), log


@test(backends=("pg",), why="a PostgreSQL server lost and back: SQLite has no connection")
def lifecycle_lines_database_lost_and_back(env):
    """The database down for a while: a worker says once that its connection
    was lost and that it keeps trying (not at every try), and once that it is
    back, for the connection that reads and the one that LISTENs alike."""
    from test_multinode import Store
    store = Store(env)
    try:
        media = os.path.join(env.dir, "media")
        os.makedirs(media)
        srv = Server(env.binary, store.uri, 1, "--media", media)
        with srv:
            (worker,) = srv.workers()
            store.pause()
            assert wait_for(lambda: "the database connection was lost; reconnecting" in srv.log()
                            and "store: the listening connection was lost" in srv.log(),
                            timeout=60), srv.log()
            # Several tries fail meanwhile (100 ms doubling): none is logged.
            time.sleep(3)
            store.resume()
            assert wait_for(lambda: "store: reconnected to the database" in srv.log()
                            and "store: listening again for changes" in srv.log(),
                            timeout=60), srv.log()
            log = srv.log()
        mine = [l for l in log.splitlines() if f"liveline[{worker}]" in l]

        def count(text):
            return len([l for l in mine if text in l])

        assert count("warn: store: the database connection was lost; reconnecting") == 1, log
        assert count("warn: store: the listening connection was lost") == 1, log
        assert count("warn: store: cannot make the listening connection") <= 1, log
        assert count("info: store: reconnected to the database") >= 1, log
        assert count("info: store: listening again for changes") == 1, log
    finally:
        store.close()


SAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "deploy",
                      "logrotate")


@test
def accesslog_logrotate_sample(env):
    """docs/deploy/logrotate run by logrotate itself, with its path and its
    postrotate's signal pointed at this test's server: the file is moved and
    the server told; every line is in the moved file or the new one; the next
    rotation compresses the first (delaycompress)."""
    if not shutil.which("logrotate"):
        raise missing("logrotate is not installed")
    logs = os.path.join(env.dir, "logs")
    os.makedirs(logs)
    path = os.path.join(logs, "access.log")
    srv = Server(env.binary, env.db, 2, "--access-log", path, "--log-level", "debug")
    with srv:
        text = open(SAMPLE).read()
        for old, new in (("/var/log/liveline/*.log {", f"{logs}/*.log {{"),
                         ("create 0640 liveline adm", "create 0640"),
                         ("systemctl kill --kill-whom=main --signal=USR1 liveline.service",
                          f"kill -USR1 {srv.proc.pid}")):
            assert text.count(old) == 1, old  # the sample changed: change this test too
            text = text.replace(old, new)
        conf = os.path.join(env.dir, "logrotate.conf")
        with open(conf, "w") as f:
            f.write(text)
        state = os.path.join(env.dir, "logrotate.state")

        def rotate(opened):
            p = subprocess.run(["logrotate", "-f", "-s", state, conf], capture_output=True,
                               text=True, timeout=60)
            assert p.returncode == 0, p.stderr
            assert wait_for(lambda: srv.log().count("the access log is open again") == opened,
                            timeout=10), srv.log()

        def batch(tag, n):
            for i in range(n):
                assert request(srv.base, "GET", "/", headers={"User-Agent": f"{tag}-{i}"}).status == 200
            assert wait_for(lambda: len(lines_of(path)) == n, timeout=10), lines_of(path)

        batch("first", 30)
        rotate(2)
        batch("second", 30)
        assert sorted(e["ua"] for e in parsed(path + ".1")) == sorted(f"first-{i}" for i in range(30))
        rotate(4)
        with gzip.open(path + ".2.gz", "rt") as f:
            first = f.read().splitlines()
        assert sorted(COMBINED.match(l)["ua"] for l in first) == sorted(f"first-{i}" for i in range(30))
        assert sorted(e["ua"] for e in parsed(path + ".1")) == sorted(f"second-{i}" for i in range(30))
        assert srv.proc.poll() is None and "died" not in srv.log()


@test
def accesslog_streams_open_at_stop_are_logged(env):
    """Streams still open when the server stops are ended by it, and each has
    its line, with the events it was sent, in the file once the server has
    stopped: every worker writes what it holds as it stops."""
    env.import_capture(DEMO, "demo", 2026)
    srv, path = log_server(env)
    readers = []
    try:
        for i in range(40):
            readers.append(Sse(srv.base, "/live/demo/events"))
        pid = post(env, "demo", "Before the stop")
        for r in readers:
            ev = r.next(timeout=10)
            assert ev and ev["data"]["post_id"] == pid, ev
        assert srv.stop() == 0
    finally:
        for r in readers:
            r.close()
        srv.stop()
    got = [e for e in parsed(path) if e["request"] == "GET /live/demo/events HTTP/1.1"]
    assert len(got) == 40, lines_of(path)
    assert all(e["events"] != "-" and int(e["events"]) >= 1 for e in got), got
