"""End-to-end tests of /metrics, /healthz and /readyz (issue 19, part metrics):
the exposition read against the Prometheus text format's rules, counters that
move as the server works and are summed across workers, a worker's restart
that takes no counter back, a hostile path that adds no series, the address
check (the socket's peer, never a forwarding header), and readiness following
the database on PostgreSQL.
"""
import math
import os
import re
import shutil
import signal
import subprocess
import time
import uuid

import lib
from lib import DEMO, Api, Server, add_staff, curl, test, wait_for
from test_hardening_web import free_port
from test_stream import Sse, last_seq, post

NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*$")
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)')
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


def parse(text):
    """The samples of a Prometheus text exposition (format 0.0.4), as
    {(name, ((label, value), ...)): float}, after checking its rules: a
    family's HELP and TYPE come once each, before its samples, which are
    together; names and labels are well formed, label values escaped;
    counters end in _total; no series twice; a histogram's buckets are
    cumulative, end in +Inf, and equal its _count."""
    assert text.endswith("\n"), "the exposition ends with a newline"
    samples, types, helps, done, current = {}, {}, set(), set(), None
    for line in text.split("\n")[:-1]:
        if line.startswith("# HELP "):
            name, _, help_ = line[7:].partition(" ")
            assert NAME.match(name) and help_ and name not in helps, line
            helps.add(name)
            continue
        if line.startswith("# TYPE "):
            name, _, kind = line[7:].partition(" ")
            assert NAME.match(name) and kind in TYPES and name not in types, line
            assert name in helps, f"{name}: HELP first"
            types[name] = kind
            if kind == "counter":
                assert name.endswith("_total"), name
            continue
        assert line and not line.startswith("#"), repr(line)
        m = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$", line)
        assert m, repr(line)
        name, labels_text, value = m.group(1), m.group(3), m.group(4)
        family = name
        if family not in types:
            family = re.sub(r"_(bucket|sum|count)$", "", name)
        assert types.get(family), f"{name}: no TYPE before it"
        if family != current:
            assert family not in done, f"{family}: its samples are not together"
            if current:
                done.add(current)
            current = family
        labels = []
        rest = labels_text or ""
        while rest:
            lm = LABEL.match(rest)
            assert lm, (line, rest)
            labels.append((lm.group(1), lm.group(2)))
            rest = rest[lm.end():]
        key = (name, tuple(labels))
        assert key not in samples, f"{line}: the same series twice"
        samples[key] = float(value)
    for family, kind in types.items():
        if kind != "histogram":
            continue
        buckets = [(float(dict(k[1])["le"]), v) for k, v in samples.items()
                   if k[0] == family + "_bucket"]
        les = [le for le, _ in buckets]
        assert les == sorted(les) and les[-1] == math.inf, les
        counts = [v for _, v in buckets]
        assert counts == sorted(counts), counts
        assert counts[-1] == samples[(family + "_count", ())], family
    return samples


def metrics(srv, *args):
    r = curl(srv.base + "/metrics", *args)
    assert r.status == 200, (r.status, r.text)
    assert r.header("content-type").startswith("text/plain; version=0.0.4"), r.headers
    return parse(r.text)


def value(samples, name, **labels):
    return samples.get((name, tuple(labels.items())), 0.0)


def total(samples, name, **match):
    """The sum of a family's samples whose labels include `match`."""
    return sum(v for (n, ls), v in samples.items()
               if n == name and all(dict(ls).get(k) == w for k, w in match.items()))


@test
def metrics_follow_the_text_format_with_the_contract_families(env):
    with env.server(workers=2) as srv:
        s = metrics(srv)
        for name in ("liveline_streams_open", "liveline_events_sent_total",
                     "liveline_connections_open", "liveline_readers_dropped_total",
                     "liveline_page_cache_hits_total", "liveline_page_cache_misses_total",
                     "liveline_store_errors_total", "liveline_worker_restarts_total",
                     "liveline_scheduled_posts_published_total",
                     "liveline_start_time_seconds", "liveline_publish_to_send_seconds_count"):
            assert (name, ()) in s, name
        assert value(s, "liveline_workers") == 2
        assert {dict(k[1])["worker"] for k in s if k[0] == "liveline_changelog_lag_entries"} \
            == {"0", "1"}
        assert sorted(srv.workers()) == sorted(
            int(total(s, "liveline_worker_pid", worker=w)) for w in ("0", "1"))
        # The health checks answer anyone, and say so in one line.
        h = curl(srv.base + "/healthz")
        assert (h.status, h.text) == (200, "ok\n")
        r = curl(srv.base + "/readyz")
        assert (r.status, r.text) == (200, "ready\n"), r.text
        assert r.header("cache-control") == "no-store"


@test
def metrics_pass_promtool(env):
    """Prometheus's own checker (Debian's prometheus package) on a busy
    exposition: every family, requests of several routes, a page's streams."""
    if not shutil.which("promtool"):
        raise lib.missing("promtool is not installed (Debian's prometheus package)")
    env.import_capture(DEMO, "demo", 2026)
    with env.server(workers=2) as srv:
        st = Sse(srv.base, "/live/demo/events")
        for path in ("/", "/live/demo", "/nope", "/live/demo/feed.atom"):
            curl(srv.base + path)
        text = curl(srv.base + "/metrics").text
        assert 'liveline_page_streams_open{page="demo"} 1' in text, text
        p = subprocess.run(["promtool", "check", "metrics"], input=text.encode(),
                           capture_output=True, timeout=60)
        assert p.returncode == 0 and not p.stdout.strip() and not p.stderr.strip(), \
            (p.stdout, p.stderr)
        st.close()


@test
def metrics_sum_open_streams_and_events_sent_across_workers(env):
    """One post with N streams open on two workers: events_sent_total grows by
    exactly N, and the open-streams gauges (total, per worker, per page) say N."""
    env.import_capture(DEMO, "demo", 2026)
    with env.server(workers=2) as srv:
        seq = last_seq(env, "demo")
        streams = []
        # Enough connections that the kernel spreads them over both workers.
        while len(streams) < 40:
            streams.append(Sse(srv.base, f"/live/demo/events?since={seq}"))
            if len(streams) < 8:
                continue
            s = metrics(srv)
            per_worker = [value(s, "liveline_worker_streams_open", worker=w) for w in "01"]
            if value(s, "liveline_streams_open") == len(streams) and min(per_worker) > 0:
                break
        n = len(streams)
        assert all(st.resp.status == 200 for st in streams)
        s = metrics(srv)
        per_worker = [value(s, "liveline_worker_streams_open", worker=w) for w in "01"]
        assert min(per_worker) > 0 and sum(per_worker) == n, per_worker
        assert value(s, "liveline_streams_open") == n
        assert value(s, "liveline_page_streams_open", page="demo") == n
        assert value(s, "liveline_connections_open") >= n
        before = value(s, "liveline_events_sent_total")
        pid = post(env, "demo", "Counted once per reader")
        for st in streams:
            e = st.next(timeout=10)
            assert e and e["event"] == "post" and e["data"]["post_id"] == pid, e
        assert wait_for(lambda: value(metrics(srv), "liveline_events_sent_total") == before + n,
                        timeout=10), (before, n, metrics(srv))
        for st in streams:
            st.close()
        assert wait_for(lambda: value(metrics(srv), "liveline_streams_open") == 0, timeout=10)
        s = metrics(srv)
        assert value(s, "liveline_page_streams_open", page="demo") == 0
        assert value(s, "liveline_events_sent_total") == before + n


@test
def metrics_count_cache_hits_and_requests_by_route(env):
    env.import_capture(DEMO, "demo", 2026)
    with env.server(workers=1) as srv:
        s0 = metrics(srv)
        assert curl(srv.base + "/live/demo").status == 200
        s1 = metrics(srv)
        assert curl(srv.base + "/live/demo").status == 200
        s2 = metrics(srv)
        hits = [value(s, "liveline_page_cache_hits_total") for s in (s0, s1, s2)]
        misses = [value(s, "liveline_page_cache_misses_total") for s in (s0, s1, s2)]
        assert misses[1] - misses[0] == 1 and hits[1] == hits[0], (hits, misses)
        assert hits[2] - hits[1] == 1 and misses[2] == misses[1], (hits, misses)
        assert value(s2, "liveline_requests_total", route="page", status="200") == 2
        assert curl(srv.base + "/no/such/thing").status == 404
        assert curl(srv.base + "/live/no-such-page").status == 404
        s3 = metrics(srv)
        assert value(s3, "liveline_requests_total", route="other", status="404") == \
            value(s2, "liveline_requests_total", route="other", status="404") + 1
        assert value(s3, "liveline_requests_total", route="page", status="404") == 1
        # /metrics counts itself (the answers before this one)
        assert value(s3, "liveline_requests_total", route="metrics", status="200") == 3


@test
def hostile_paths_add_no_series(env):
    env.import_capture(DEMO, "demo", 2026)
    with env.server(workers=1) as srv:
        for path in ("/nope", "/live/nope", "/live/demo/posts/99999999", "/static/x.css",
                     "/live/demo/changes?since=1", "/live/nope/events"):
            curl(srv.base + path)
        metrics(srv)  # its own series, counted from the second answer on
        before = set(metrics(srv))
        for i in range(20):
            junk = uuid.uuid4().hex
            for path in (f"/{junk}", f"/live/{junk}", f"/live/demo/posts/{i + 100000}",
                         f"/static/{junk}.css", f"/live/{junk}/events", f"/x%22%0a{junk}",
                         f"/live/demo/changes?since={i}"):
                curl(srv.base + path)
        after = set(metrics(srv))
        assert after == before, after ^ before


@test
def metrics_refuse_peers_outside_the_allowed_networks(env):
    """--metrics-allow 127.0.0.5/32: a peer at 127.0.0.1 is refused whatever it
    forwards, even through a trusted proxy's headers; 127.0.0.5 is answered."""
    with Server(env.binary, env.db, 1, "--metrics-allow", "127.0.0.5/32",
                "--trusted-proxy", "127.0.0.1") as srv:
        r = curl(srv.base + "/metrics")
        assert r.status == 403, r.status
        assert "liveline_" not in r.text
        for h in ("X-Forwarded-For: 127.0.0.5", "Forwarded: for=127.0.0.5"):
            r = curl(srv.base + "/metrics", headers=[h])
            assert r.status == 403, (h, r.status)
        s = metrics(srv, "--interface", "127.0.0.5")
        assert ("liveline_streams_open", ()) in s
        # the health checks are not behind it
        assert curl(srv.base + "/healthz").status == 200
        assert curl(srv.base + "/readyz").status == 200
    # the default: loopback only, so 127.0.0.1 is answered
    with Server(env.binary, env.db, 1) as srv:
        assert curl(srv.base + "/metrics").status == 200


@test
def metrics_listen_serves_metrics_only_there(env):
    """--metrics-listen: /metrics on that address alone (every peer of it
    answered, as no --metrics-allow was given), 404 on the main one; the
    metrics address serves nothing else."""
    port = free_port()
    with Server(env.binary, env.db, 2, "--metrics-listen", f"127.0.0.1:{port}") as srv:
        assert wait_for(lambda: f"metrics on http://127.0.0.1:{port}/metrics" in srv.log(),
                        timeout=10), srv.log()
        assert curl(srv.base + "/metrics").status == 404
        base = f"http://127.0.0.1:{port}"
        r = curl(base + "/metrics", "--interface", "127.0.0.9")
        assert r.status == 200 and "liveline_streams_open" in r.text, r.status
        for path in ("/", "/healthz", "/live/demo", "/metricsx"):
            assert curl(base + path).status == 404, path
        assert curl(base + "/metrics", method="POST").status == 405
        # the main listener still serves everything else
        assert curl(srv.base + "/healthz").status == 200
        s = parse(curl(base + "/metrics").text)
        assert value(s, "liveline_requests_total", route="metrics", status="404") == 1
    # with --metrics-allow as well, both apply
    with Server(env.binary, env.db, 1, "--metrics-listen", "127.0.0.1:0",
                "--metrics-allow", "127.0.0.5") as srv:
        m = wait_for(lambda: re.search(r"metrics on (http://\S+)/metrics", srv.log()), 10)
        assert m, srv.log()
        assert curl(m.group(1) + "/metrics").status == 403
        assert curl(m.group(1) + "/metrics", "--interface", "127.0.0.5").status == 200


@test
def publish_to_send_histogram_observes_newsroom_posts(env):
    env.import_capture(DEMO, "demo", 2026)
    tokens = add_staff(env)
    with env.server(workers=2) as srv:
        eve = Api(srv.base, token=tokens["eve"])
        seq = last_seq(env, "demo")
        st = Sse(srv.base, f"/live/demo/events?since={seq}")
        before = value(metrics(srv), "liveline_publish_to_send_seconds_count")
        for i in range(3):
            pid = eve.ok("POST", "/pages/demo/posts",
                         {"title": f"Timed {i}", "body": "A paragraph."}, status=201)["post"]["id"]
            e = st.next(timeout=10)
            assert e and e["data"]["post_id"] == pid, e
        # the stream's worker saw all three (the other one too if it has the page)
        assert wait_for(lambda: value(metrics(srv), "liveline_publish_to_send_seconds_count")
                        >= before + 3, timeout=10)
        s = metrics(srv)
        assert value(s, "liveline_publish_to_send_seconds_sum") > 0
        st.close()


@test
def scheduled_posts_are_counted_once_across_workers(env):
    """Two scheduled posts due at once, two workers running the scheduler: the
    counter says 2 (each post published, and counted, by one worker)."""
    env.import_capture(DEMO, "demo", 2026)
    tokens = add_staff(env)
    with env.server(workers=2) as srv:
        eve = Api(srv.base, token=tokens["eve"])
        at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 2))
        for title in ("First at the hour", "Second at the hour"):
            eve.ok("POST", "/pages/demo/drafts",
                   {"title": title, "body": "Scheduled.", "publish_at": at}, 201)
        assert value(metrics(srv), "liveline_scheduled_posts_published_total") == 0
        assert wait_for(lambda: value(metrics(srv),
                                      "liveline_scheduled_posts_published_total") >= 2,
                        timeout=15)
        time.sleep(2.5)  # both workers have looked again since
        assert value(metrics(srv), "liveline_scheduled_posts_published_total") == 2


@test
def a_refused_duplicate_is_no_store_error(env):
    """A slug taken (a UNIQUE constraint's refusal, answered 409) is an outcome,
    not a database failure: liveline_store_errors_total does not move."""
    tokens = add_staff(env)
    with env.server(workers=1) as srv:
        ada = Api(srv.base, token=tokens["ada"])
        page = {"slug": "budget", "title": "Budget day", "zone": "Europe/London"}
        ada.ok("POST", "/pages", page, 201)
        before = value(metrics(srv), "liveline_store_errors_total")
        r = ada.post("/pages", page)
        assert r.status == 409, (r.status, r.body)
        assert value(metrics(srv), "liveline_store_errors_total") == before


@test
def a_restarted_worker_takes_no_counter_back(env):
    with env.server(workers=2) as srv:
        for _ in range(10):
            curl(srv.base + "/nope")
        s = metrics(srv)
        pid = int(value(s, "liveline_worker_pid", worker="0"))
        assert pid in srv.workers()
        requests = total(s, "liveline_requests_total")
        os.kill(pid, signal.SIGKILL)  # a worker of our own server
        assert wait_for(lambda: value(metrics(srv), "liveline_worker_restarts_total") == 1
                        and value(metrics(srv), "liveline_worker_pid", worker="0") not in
                        (0, pid), timeout=20), metrics(srv)
        s = metrics(srv)
        assert total(s, "liveline_requests_total") > requests
        assert value(s, "liveline_requests_total", route="other", status="404") == 10


@test(backends=("sqlite",), why="SQLite's database file replaced under a running server")
def readyz_fails_when_the_database_file_moves(env):
    with env.server(workers=2) as srv:
        assert curl(srv.base + "/readyz").status == 200
        os.rename(env.db, env.db + ".moved")  # the test's own file
        assert wait_for(lambda: all(curl(srv.base + "/readyz").status == 503
                                    for _ in range(6)), timeout=20)
        r = curl(srv.base + "/readyz")
        assert r.text == "not ready: the database file is not the one open\n", r.text
        assert curl(srv.base + "/healthz").status == 200
        os.rename(env.db + ".moved", env.db)
        assert wait_for(lambda: all(curl(srv.base + "/readyz").status == 200
                                    for _ in range(6)), timeout=20)


class Cluster:
    """A PostgreSQL cluster of this test's own (tests/pg), to pause."""

    def __init__(self, env):
        self.dir = os.path.join(env.dir, "pg")
        self.script = os.path.join(lib.ROOT, "tests", "pg")
        os.chmod(env.dir, 0o755)  # the cluster runs as another user, inside it
        os.makedirs(self.dir)
        self.uri = self.pg("start").strip().splitlines()[-1]

    def pg(self, action):
        p = subprocess.run([self.script, action, self.dir], capture_output=True, text=True,
                           timeout=180)
        assert p.returncode == 0, (action, p.stdout, p.stderr)
        return p.stdout


@test(backends=("pg",), why="the database paused under a running server")
def readyz_follows_the_database_and_healthz_does_not(env):
    db = Cluster(env)
    try:
        lib.Cli(env.binary, db.uri).run("init", check=0)
        with Server(env.binary, db.uri, 2) as srv:
            assert wait_for(lambda: curl(srv.base + "/readyz").status == 200, timeout=10)
            db.pg("pause")
            # Each worker checks once a second, and the kernel picks the worker
            # a request goes to: the answer read is the one that said 503.
            seen = []

            def not_ready():
                seen.append(curl(srv.base + "/readyz"))
                return seen[-1].status == 503

            assert wait_for(not_ready, timeout=30)
            r = seen[-1]
            assert r.text == "not ready: the database cannot be reached\n", r.text
            assert r.header("retry-after"), r.headers
            # ...and soon every worker says so
            assert wait_for(lambda: all(curl(srv.base + "/readyz").status == 503
                                        for _ in range(6)), timeout=30)
            assert curl(srv.base + "/healthz").status == 200
            assert value(metrics(srv), "liveline_store_errors_total") > 0
            db.pg("start")
            # every worker ready again: a few in a row (the kernel picks the worker)
            assert wait_for(lambda: all(curl(srv.base + "/readyz").status == 200
                                        for _ in range(6)), timeout=60)
    finally:
        db.pg("stop")
