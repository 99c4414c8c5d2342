"""Several Liveline nodes on one PostgreSQL, behind haproxy (issue 16).

Each test starts a deployment of its own: a throwaway PostgreSQL cluster in the
test's folder (`tests/pg start`, so that restarting it touches no other test's),
three `liveline serve` nodes on it (ephemeral loopback ports, a --media folder
each) and haproxy in front, run from docs/deploy/haproxy.cfg as shipped with
only its addresses and the Debian process settings replaced. Every process is
started here and ended by its PID.

They are PostgreSQL's (`@test(backends=("pg",))`: `run.py --backend pg`,
which `make test` runs); each makes its own cluster rather than a database in
LIVELINE_TEST_PG's, since one of them restarts it.

No assertion is on a duration (the machine is shared): deliveries and
recoveries are awaited with generous bounds, and what is asserted is what
arrived, in what order, how many times. The time a post takes from one node to
another is measured in `make bench` (bench/multinode.sh).
"""
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time

import lib
from lib import ROOT, Api, Browser, Cli, Server, add_user, make_token, test, wait_for
from test_hardening_web import free_port
from test_stream import Sse

SLUG = "election-night"
SAMPLE = os.path.join(ROOT, "docs", "deploy", "haproxy.cfg")
PROXY_ADDR = "127.0.0.2"  # haproxy connects to the nodes from here; only it is trusted


# ---- the store: a throwaway cluster ----------------------------------------------

MULTINODE = dict(backends=("pg",), why="several nodes share one PostgreSQL")


class Store:
    """Where the nodes keep everything: a PostgreSQL cluster of this test's
    own (tests/pg start DIR). `uri` is what --db takes."""

    def __init__(self, env):
        self.dir = os.path.join(env.dir, "pg")
        self.script = os.path.join(ROOT, "tests", "pg")
        os.chmod(env.dir, 0o755)  # the cluster runs as another user, inside it
        os.makedirs(self.dir)
        self.uri = self._pg("start").strip().splitlines()[-1]
        assert self.uri.startswith(("postgresql:", "postgres:")), self.uri

    def _pg(self, action):
        """tests/pg ACTION DIR: the e2e suite's throwaway cluster."""
        p = subprocess.run([self.script, action, self.dir], capture_output=True,
                           text=True, timeout=180)
        assert p.returncode == 0, (action, p.stdout, p.stderr)
        return p.stdout

    def restart(self):
        self._pg("restart")

    def pause(self):
        """The database down (stopped, kept) until resume()."""
        self._pg("pause")

    def resume(self):
        self._pg("start")

    def query(self, q):
        """Rows of a query, as lists of text."""
        return lib.sql(self.uri, q)

    def close(self):
        self._pg("stop")


# ---- the nodes and the balancer ------------------------------------------------

def haproxy_config(port, node_ports, logfile):
    """docs/deploy/haproxy.cfg with our ports; haproxy in the foreground as
    this user (no chroot, user, group), logging to a file, with a maxconn
    this machine's open-file limit allows; connecting to the
    nodes from PROXY_ADDR, and naming in a response header which node
    answered (for the tests only). Each replacement must match exactly what
    the sample says, so a sample changed in those lines fails here, loudly."""
    text = open(SAMPLE).read()
    subs = [(r"\n\tchroot [^\n]*", ""), (r"\n\tuser haproxy", ""), (r"\n\tgroup haproxy", ""),
            (r"\n\tlog /dev/log local0", f"\n\tlog {logfile} local0"),
            # 200,000 needs 400,000 open files; this machine allows 20,000
            (r"\n\tmaxconn 200000\n", "\n\tmaxconn 4000\n"),
            (r"\n\tbind :80\n", f"\n\tbind 127.0.0.1:{port}\n"),
            (r"\n\tbalance roundrobin\n",
             f"\n\tbalance roundrobin\n\tsource {PROXY_ADDR}\n"
             "\thttp-response set-header X-Liveline-Node %[srv_name]\n")]
    for pattern, repl in subs:
        text, n = re.subn(pattern, repl, text)
        assert n == 1, (pattern, n)
    servers = re.findall(r"^\tserver (node\d) \S+$", text, re.M)
    assert servers == [f"node{i + 1}" for i in range(len(node_ports))], servers
    for i, p in enumerate(node_ports):
        text, n = re.subn(rf"^\tserver node{i + 1} \S+$", f"\tserver node{i + 1} 127.0.0.1:{p}",
                          text, flags=re.M)
        assert n == 1
    return text


class Deployment:
    """A store, three nodes on it and haproxy in front. `base` is the
    balancer's http://127.0.0.1:PORT; `nodes[i].base` a node's own."""

    def __init__(self, env, workers=1):
        self.env = env
        haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
        if not os.path.exists(haproxy):
            raise lib.missing("haproxy is not installed (bin/deps haproxy)")
        self.store, self.nodes, self.proxy = Store(env), [], None
        try:
            self.cli = Cli(env.binary, self.store.uri)
            self.cli.run("init", check=0)
            for login, role, name in lib.STAFF:
                add_user(self, login, role, name)
            self.tokens = {login: make_token(self, login) for login, _, _ in lib.STAFF}
            for i in range(3):
                self.nodes.append(self.start_node(i, workers))
            self.start_proxy(haproxy)
        except BaseException:
            self.close()
            raise

    def start_node(self, i, workers):
        media = os.path.join(self.env.dir, f"media-{i + 1}")
        os.makedirs(media, exist_ok=True)
        return Server(self.env.binary, self.store.uri, workers, "--media", media,
                      "--trusted-proxy", PROXY_ADDR)

    def start_proxy(self, haproxy):
        port = free_port()
        d = os.path.join(self.env.dir, "haproxy")
        os.makedirs(d)
        cfg = os.path.join(d, "haproxy.cfg")
        ports = [int(n.base.rsplit(":", 1)[1]) for n in self.nodes]
        with open(cfg, "w") as f:
            f.write(haproxy_config(port, ports, os.path.join(d, "log")))
        self.proxy_err = open(os.path.join(d, "stderr"), "w+")
        self.proxy = subprocess.Popen([haproxy, "-f", cfg, "-db"], stdout=self.proxy_err,
                                      stderr=subprocess.STDOUT)
        self.base = f"http://127.0.0.1:{port}"

        def up():
            assert self.proxy.poll() is None, self.proxy_log()
            try:
                return lib.request(self.base, "GET", "/healthz", timeout=5).status == 200
            except OSError:
                return False
        assert wait_for(up, timeout=30), self.proxy_log()

    def proxy_log(self):
        self.proxy_err.seek(0)
        return self.proxy_err.read()

    def api(self, login="eve", base=None):
        return Api(base or self.base, token=self.tokens[login])

    def make_page(self):
        ada = self.api("ada")
        ada.ok("POST", "/pages", {"slug": SLUG, "title": "Election night", "zone": "Europe/London"}, 201)
        ada.ok("POST", f"/pages/{SLUG}/publish")

    def kill(self, i):
        """SIGKILL node i, workers and master, as a machine that dies: the
        master is stopped first, so that it neither restarts a worker nor
        lets its workers end gracefully."""
        node = self.nodes[i]
        workers = node.workers()
        node.proc.send_signal(signal.SIGSTOP)
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
        node.proc.send_signal(signal.SIGKILL)
        node.proc.wait(timeout=30)
        for pid in workers:  # orphans now: wait until the kernel has let them go
            wait_for(lambda: not os.path.exists(f"/proc/{pid}/stat")
                     or open(f"/proc/{pid}/stat").read().split(")")[1].split()[0] == "Z", 10)

    def seqs(self):
        """The page's change-log sequence numbers, in order."""
        return [int(r[0]) for r in self.store.query(
            "SELECT c.seq FROM changes c JOIN pages p ON p.id = c.page_id "
            f"WHERE p.slug = '{SLUG}' ORDER BY c.seq")]

    def post_ids(self):
        """Ids of the page's posts, as the store holds them."""
        return sorted(int(r[0]) for r in self.store.query(
            f"SELECT id FROM posts WHERE page_id = (SELECT id FROM pages WHERE slug = '{SLUG}')"))

    def close(self):
        errors = []
        if self.proxy and self.proxy.poll() is None:
            self.proxy.terminate()
            try:
                self.proxy.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proxy.kill()
                self.proxy.wait()
        for node in self.nodes:
            try:
                node.stop()
            except AssertionError as e:  # a sanitizer's report: after the others stop
                errors.append(e)
        self.store.close()
        if errors:
            raise errors[0]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# ---- a reader: one EventSource, following it in a thread -------------------------

class Reader:
    """An EventSource on /live/SLUG/events through `base`, read in a thread.
    `events` are (id, event, data) as they arrived, across reconnections:
    with reconnect=True, a stream that ends is opened again through the same
    base with Last-Event-ID, as a browser's EventSource does (after its retry
    delay)."""

    def __init__(self, base, reconnect=False, last_event_id=None):
        self.base, self.reconnect = base, reconnect
        self.events, self.nodes, self.opened = [], [], 0
        self.lock, self.stopping = threading.Lock(), False
        self.allowed = threading.Event()  # cleared: do not reconnect yet
        self.allowed.set()
        self.last_id = last_event_id
        self._open()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _open(self):
        sse = Sse(self.base, f"/live/{SLUG}/events", self.last_id, timeout=30)
        assert sse.resp.status == 200, (sse.resp.status, sse.resp.read()[:300])
        self.sse = sse
        self.nodes.append(sse.resp.getheader("X-Liveline-Node"))
        self.opened += 1

    def _read(self):
        """Events until the stream ends (returns) or the socket fails (raises)."""
        while not self.stopping:
            # Long enough never to time out the socket (heartbeats come every
            # 15 s): a socket that timed out once cannot be read again.
            ev = self.sse.next(timeout=60)
            if ev is None:
                if self.sse.resp.isclosed():  # the end, not a quiet minute
                    return
                continue
            with self.lock:
                self.events.append((ev["id"], ev["event"], ev["data"]))
            if ev["id"] is not None:
                self.last_id = ev["id"]

    def _run(self):
        while not self.stopping:
            try:
                self._read()
            except (OSError, http.client.HTTPException, ValueError):
                pass
            self.sse.close()
            if self.stopping or not self.reconnect:
                return
            self.allowed.wait(120)
            for _ in range(60):  # EventSource's retry, bounded
                time.sleep(0.5)
                if self.stopping:
                    return
                try:
                    self._open()
                    break
                except (OSError, http.client.HTTPException, AssertionError):
                    continue
            else:
                return

    def ids(self):
        with self.lock:
            return [e[0] for e in self.events]

    def post_ids(self):
        with self.lock:
            return [e[2]["post_id"] for e in self.events if e[1] == "post"]

    def wait_ids(self, want, timeout=20):
        """Waits until every id in `want` has arrived; returns the ids seen."""
        wait_for(lambda: set(want) <= set(self.ids()), timeout=timeout)
        return self.ids()

    def close(self):
        self.stopping = True
        try:
            self.sse.conn.sock and self.sse.conn.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.thread.join(timeout=10)
        self.sse.close()


def last_seq(base):
    r = lib.request(base, "GET", f"/live/{SLUG}/changes?since=0")
    assert r.status == 200, r.status
    return r.json()["last_seq"]


def publish(api, title):
    """(status, the post's id or None). A failure to connect counts as not
    acknowledged."""
    try:
        r = api.post(f"/pages/{SLUG}/posts", {"title": title, "body": f"{title}: a paragraph."})
    except OSError:
        return None, None
    return r.status, (r.json()["post"]["id"] if r.status == 201 else None)


class Publisher:
    """Publishes `count` posts one after another through `api` in a thread
    (a desk's script); keeps which were acknowledged (201) and which not."""

    def __init__(self, api, count, prefix="Update"):
        self.api, self.count, self.prefix = api, count, prefix
        self.acked, self.refused, self.done = [], [], threading.Event()
        self.statuses = []  # every answer's status in order (None: no answer)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        try:
            for i in range(self.count):
                status, pid = publish(self.api, f"{self.prefix} {i + 1}")
                (self.acked if pid else self.refused).append(pid or status)
                self.statuses.append(status)
                time.sleep(0.05)
        finally:
            self.done.set()

    def wait_acked(self, n, timeout=60):
        assert wait_for(lambda: len(self.acked) >= n or self.done.is_set(), timeout=timeout)
        assert len(self.acked) >= n, (self.acked, self.refused)

    def join(self, timeout=300):
        assert self.done.wait(timeout), "the publisher did not finish"


def no_duplicates(ids):
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]


# ---- the tests ---------------------------------------------------------------------

@test(**MULTINODE)
def multinode_post_reaches_every_node(env):
    """A post published through node 1 reaches readers connected to nodes 2
    and 3 (and to 1, and one through the balancer), each once, with the same
    event id and post everywhere: the id is the page's sequence number, from
    the store."""
    with Deployment(env) as d:
        d.make_page()
        base = last_seq(d.base)
        readers = [Reader(n.base) for n in d.nodes] + [Reader(d.base)]
        try:
            pids = []
            for k in range(3):
                status, pid = publish(d.api(base=d.nodes[0].base), f"From node 1, number {k + 1}")
                assert status == 201, status
                pids.append(pid)
            want = [base + 1, base + 2, base + 3]
            for r in readers:
                ids = r.wait_ids(want)
                assert ids == want, (r.base, ids, want)
                assert r.post_ids() == pids, (r.base, r.post_ids(), pids)
            events = [r.events for r in readers]
            assert all(e == events[0] for e in events), "the nodes sent different events"
            assert d.seqs()[-3:] == want
        finally:
            for r in readers:
                r.close()


@test(**MULTINODE)
def multinode_reader_resumes_on_another_node(env):
    """A reader whose node is killed (SIGKILL, workers and master) reconnects
    through the balancer with Last-Event-ID, reaches another node, and gets
    exactly the events published while it was away, then the live ones: none
    missed, none twice."""
    with Deployment(env) as d:
        d.make_page()
        api = d.api()
        reader = Reader(d.base, reconnect=True)
        try:
            first = [publish(api, f"Before {k}")[1] for k in range(2)]
            assert None not in first
            base = last_seq(d.base)
            reader.wait_ids([base - 1, base])
            victim = reader.nodes[0]
            assert victim in ("node1", "node2", "node3"), reader.nodes
            # The reader reconnects only once the posts are out, so that it
            # must catch up by Last-Event-ID rather than live.
            reader.allowed.clear()
            try:
                d.kill(int(victim[4:]) - 1)
                missed = []
                for k in range(3):
                    status, pid = publish(api, f"While away {k}")
                    assert status == 201, status  # the balancer took it to a live node
                    missed.append(pid)
            finally:
                reader.allowed.set()
            status, live = publish(api, "After")
            assert status == 201
            want = list(range(base - 1, base + 5))
            ids = reader.wait_ids(want, timeout=60)
            assert ids == want, (ids, want)
            assert reader.post_ids() == first + missed + [live]
            assert reader.opened == 2 and reader.nodes[1] != victim, reader.nodes
        finally:
            reader.close()


@test(**MULTINODE)
def multinode_session_works_on_every_node(env):
    """A newsroom session signed in through the balancer works on each node
    directly (its pages and a post through the form), and signing out on one
    node ends it on all; the client's own X-Forwarded-For does not reach the
    sign-in limit through the shipped balancer config."""
    with Deployment(env) as d:
        d.make_page()
        desk = Browser(d.base)
        r = desk.signin("eve", "not the password", headers={"X-Forwarded-For": "203.0.113.9"})
        assert r.status == 401, r.status
        keys = sorted(row[0] for row in d.store.query("SELECT key FROM signin_failures"))
        assert keys == ["addr:127.0.0.1", "login:eve"], keys
        assert desk.signin("eve").status == 303
        for i, node in enumerate(d.nodes):
            b = Browser(node.base)
            b.cookie, b.csrf = desk.cookie, desk.csrf
            page = b.get("/newsroom")
            assert page.status == 200 and "Eve Editor" in page.text, (i, page.status)
            r = b.post(f"/newsroom/{SLUG}/posts", {"title": f"Filed on node {i + 1}",
                                                    "body": "From the desk.", "action": "publish"})
            assert r.status == 303, (i, r.status, r.body[:300])
        titles = [p["title"] for p in d.api().ok("GET", f"/pages/{SLUG}/posts")["posts"]]
        assert sorted(t for t in titles if t.startswith("Filed")) == \
            ["Filed on node 1", "Filed on node 2", "Filed on node 3"], titles
        b3 = Browser(d.nodes[2].base)
        b3.cookie, b3.csrf = desk.cookie, desk.csrf
        assert b3.post("/newsroom/signout").status == 303
        for node in d.nodes:
            b = Browser(node.base)
            b.cookie = desk.cookie
            r = b.get("/newsroom")
            assert r.status == 303 and "/newsroom/signin" in r.header("location"), \
                (node.base, r.status)


@test(**MULTINODE)
def multinode_schedule_exactly_once(env):
    """Five posts scheduled for the same second, three nodes of two workers
    each racing for them: each is published once (one post, one change-log
    entry), and every node's readers get each once."""
    with Deployment(env, workers=2) as d:
        d.make_page()
        eve = d.api()
        at = int(time.time()) + 3
        when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at))
        titles = [f"Scheduled {k}" for k in range(5)]
        for t in titles:
            eve.ok("POST", f"/pages/{SLUG}/drafts", {"title": t, "body": "Due now.",
                                                     "publish_at": when}, 201)
        readers = [Reader(n.base) for n in d.nodes]
        try:
            def published():
                return [p for p in eve.ok("GET", f"/pages/{SLUG}/posts")["posts"]
                        if p["title"] in titles]
            assert wait_for(lambda: len(published()) >= 5, timeout=30), published()
            pids = sorted(p["id"] for p in published())
            # every worker of every node has looked again since
            assert wait_for(lambda: all(sorted(r.post_ids()) == pids for r in readers), 30), \
                [(r.base, r.nodes, r.opened, r.events) for r in readers]
            time.sleep(3)
            assert len(published()) == 5, published()
            assert d.store.query("SELECT count(*) FROM drafts") == [["0"]]
            per_post = d.store.query(
                "SELECT post_id, count(*) FROM changes WHERE kind = 'post' AND post_id IN "
                f"({','.join(map(str, pids))}) GROUP BY post_id ORDER BY post_id")
            assert per_post == [[str(p), "1"] for p in pids], per_post
            for r in readers:
                assert sorted(r.post_ids()) == pids, (r.base, r.post_ids())
                no_duplicates(r.ids())
        finally:
            for r in readers:
                r.close()


@test(**MULTINODE)
def multinode_database_restart_while_publishing(env):
    """PostgreSQL restarted (fast: every connection dropped) while a desk
    publishes through the balancer: every acknowledged post is stored, the
    page's change log has no gap, no reader gets an event twice (readers
    reconnect by Last-Event-ID if their stream ends), every reader ends with
    every event, and each node, never restarted, publishes again."""
    with Deployment(env) as d:
        d.make_page()
        base = last_seq(d.base)
        readers = [Reader(n.base, reconnect=True) for n in d.nodes]
        try:
            pub = Publisher(d.api(), 80)
            pub.wait_acked(5)
            d.store.restart()
            during = len(pub.acked) + len(pub.refused)
            assert not pub.done.is_set(), "the posts were all out before the restart ended"
            pub.join()
            # Publishing went on through the restart and after it; what was
            # refused meanwhile was refused by Liveline as "come back soon"
            # (503, also for the request that found its connection dropped:
            # the database was out of reach, not broken), never left
            # unanswered; and the last posts went through again.
            assert len(pub.statuses) > during and pub.statuses[-1] == 201, pub.statuses
            assert set(pub.refused) <= {503}, pub.refused
            # Each node recovers by itself: a post through each, directly.
            for i, node in enumerate(d.nodes):
                api = d.api(base=node.base)
                got = wait_for(lambda: publish(api, f"Node {i + 1} is back")[0] == 201, timeout=60)
                assert got, f"node {i + 1} did not recover"
            stored = d.post_ids()
            assert set(pub.acked) <= set(stored), set(pub.acked) - set(stored)
            seqs = d.seqs()
            assert seqs == list(range(1, len(seqs) + 1)), seqs
            want = [s for s in seqs if s > base]
            for r in readers:
                ids = r.wait_ids(want, timeout=60)
                assert ids == want, (r.base, r.nodes, ids, want)  # all, in order, once
                assert set(pub.acked) <= set(r.post_ids()), (r.base, set(pub.acked) - set(r.post_ids()))
            for n in d.nodes:
                assert n.proc.poll() is None, "a node exited"
        finally:
            for r in readers:
                r.close()


@test(**MULTINODE)
def multinode_database_down_readers_served(env):
    """PostgreSQL down for a while (stopped, not restarted at once): readers
    keep getting the live page from each node's cache; a desk's request is
    refused as "come back soon" (503 with Retry-After, code "unavailable"),
    never a 500 or no answer; once the database is back, every node
    publishes again and readers on every node get those posts, without
    restarting anything."""
    with Deployment(env) as d:
        d.make_page()
        assert publish(d.api(), "Before the outage")[0] == 201
        pages = {}
        for n in d.nodes:  # each node's cache holds the page
            r = lib.request(n.base, "GET", f"/live/{SLUG}")
            assert r.status == 200 and "Before the outage" in r.text, r.status
            pages[n.base] = r.body
        readers = [Reader(n.base, reconnect=True) for n in d.nodes]
        try:
            d.store.pause()
            for n in d.nodes:
                r = lib.request(n.base, "GET", f"/live/{SLUG}")
                assert r.status == 200 and r.body == pages[n.base], (n.base, r.status)
                r = d.api(base=n.base).post(f"/pages/{SLUG}/posts",
                                            {"title": "During the outage", "body": "Lost?"})
                assert r.status == 503, (n.base, r.status, r.body)
                assert int(r.header("Retry-After")) > 0, r.headers
                assert r.json()["error"]["code"] == "unavailable", r.body
            d.store.resume()
            after = []
            for i, n in enumerate(d.nodes):
                api = d.api(base=n.base)
                got = [None, None]
                for _ in range(120):  # bounded: the node reconnects with backoff
                    got = publish(api, f"After the outage {i + 1}")
                    if got[0] == 201:
                        break
                    time.sleep(0.5)
                assert got[0] == 201, f"node {i + 1} did not recover: {got}"
                after.append(got[1])
            seqs = d.seqs()
            assert seqs == list(range(1, len(seqs) + 1)), seqs
            for r in readers:
                assert wait_for(lambda: set(after) <= set(r.post_ids()), timeout=30), \
                    (r.base, after, r.post_ids())
                no_duplicates(r.ids())
            titles = [x[0] for x in d.store.query("SELECT title FROM posts")]
            assert "During the outage" not in titles, titles
        finally:
            for r in readers:
                r.close()


@test(**MULTINODE)
def multinode_node_killed_while_publishing(env):
    """A node SIGKILLed while a desk publishes through the balancer: every post
    it acknowledged (through whichever node) is stored, the change log has no
    gap, and the two nodes left keep publishing."""
    with Deployment(env) as d:
        d.make_page()
        base = last_seq(d.base)
        reader = Reader(d.nodes[0].base)
        try:
            pub = Publisher(d.api(), 30)
            pub.wait_acked(6)
            d.kill(1)
            pub.join()
            assert len(pub.acked) >= 20, (pub.acked, pub.refused)  # the balancer moved on
            stored = d.post_ids()
            assert set(pub.acked) <= set(stored), set(pub.acked) - set(stored)
            seqs = d.seqs()
            assert seqs == list(range(1, len(seqs) + 1)), seqs
            want = [s for s in seqs if s > base]
            assert reader.wait_ids(want) == want  # node 1's reader: all, in order, once
            assert set(pub.acked) <= set(reader.post_ids())
        finally:
            reader.close()
