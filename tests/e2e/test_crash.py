"""Crash consistency: a server under publishing load is killed with SIGKILL at
random moments (a worker, the whole server, or the master alone), about twenty
times, and started again each time. Then every post that was acknowledged (201)
is in the database, the change log has no gap on any page, SQLite's integrity
check is clean (on SQLite), and a stream that resumes from before the kills gets each
missed event exactly once, in order.
"""
import os
import random
import signal
import threading
import time

from lib import DEMO, Api, Server, add_staff, alive, test, wait_for
from test_stream import Sse

ROUNDS = 20
MAX_POSTS = 400  # below the replay ring (512), so the resume is a replay
LOOP_SECONDS = 80


class Publisher(threading.Thread):
    """Publishes posts through the API as fast as they are answered, and keeps
    those answered 201: the posts the server promised to keep."""

    def __init__(self, base, token, acked, start_at):
        super().__init__(daemon=True)
        self.api = Api(base, token)
        self.acked, self.n = acked, start_at
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set() and len(self.acked) < MAX_POSTS:
            self.n += 1
            title = f"Crash post {self.n}"
            try:
                r = self.api.post("/pages/demo/posts",
                                  {"title": title, "body": f"{title}: a paragraph."})
            except OSError:  # killed mid-request: neither promised nor refused
                time.sleep(0.01)
                continue
            if r.status == 201:
                self.acked.append((r.json()["post"]["id"], title))
            time.sleep(0.02)  # a busy newsroom, not a flood: ~20 rounds fit the ring


def kill_server(srv, rng):
    """One crash: SIGKILL a worker (the master restarts it), then the whole
    server, or the master alone (its workers must then go by themselves).
    Returns the number of SIGKILLs sent."""
    kills = 0
    if rng.random() < 0.5:
        workers = srv.workers()
        if workers:
            os.kill(rng.choice(workers), signal.SIGKILL)
            kills += 1
            time.sleep(rng.uniform(0.05, 0.3))
    workers = srv.workers()
    if rng.random() < 0.75:
        for w in workers:
            os.kill(w, signal.SIGKILL)
            kills += 1
    srv.proc.kill()
    srv.proc.wait()
    kills += 1
    assert wait_for(lambda: not any(alive(w) for w in workers), timeout=15), \
        "workers outlived their master"
    return kills


@test
def crash_consistency_under_publishing_load(env):
    env.import_capture(DEMO, "demo", 2026, status="live")
    tokens = add_staff(env)
    before = int(env.sql_one("SELECT last_seq FROM pages WHERE slug = 'demo'"))
    old_posts = {int(r[0]) for r in env.sql("SELECT id FROM posts")}
    rng = random.Random(18)
    acked, kills, n, rounds = [], 0, 0, 0
    deadline = time.time() + LOOP_SECONDS
    for _ in range(ROUNDS):
        if time.time() > deadline or len(acked) >= MAX_POSTS:
            break
        rounds += 1
        srv = Server(env.binary, env.db, 2)
        try:
            pub = Publisher(srv.base, tokens["eve"], acked, n)
            pub.start()
            time.sleep(rng.uniform(0.05, 0.5))
            kills += kill_server(srv, rng)
            pub.stop.set()
            pub.join(timeout=60)
            n = pub.n
        finally:
            srv.stop()  # only collects the log (and checks it for sanitizer reports)
    assert rounds >= ROUNDS // 2 and kills >= rounds and len(acked) > rounds, \
        (rounds, kills, len(acked))

    # Every acknowledged post is there.
    stored = {int(r[0]): r[1] for r in env.sql("SELECT id, title FROM posts")}
    lost = [(i, t) for i, t in acked if stored.get(i) != t]
    assert not lost, f"{len(lost)} acknowledged posts lost: {lost[:5]}"
    # The change log has no gap and agrees with each page's last sequence number.
    for page_id, last in env.sql("SELECT id, last_seq FROM pages"):
        seqs = [int(r[0]) for r in env.sql("SELECT seq FROM changes WHERE page_id = "
                                           f"{int(page_id)} ORDER BY id")]
        assert seqs == list(range(1, int(last) + 1)), (page_id, last, seqs[-5:])
    # Every committed post is in the log once.
    logged = [int(r[0]) for r in env.sql("SELECT post_id FROM changes c JOIN pages p ON "
                                         "p.id = c.page_id WHERE p.slug = 'demo' AND kind = 'post' "
                                         f"AND seq > {before} ORDER BY seq")]
    assert sorted(logged) == sorted(set(logged)), "a post logged twice"
    assert {i for i, _ in acked} <= set(logged)
    # Every post committed, acknowledged or not, has its change: none was
    # stored without one (its readers would never hear of it).
    assert set(stored) - old_posts == set(logged), set(stored) - old_posts ^ set(logged)
    if env.backend == "sqlite":  # PostgreSQL checks its constraints at each commit
        assert env.sql("PRAGMA integrity_check") == [["ok"]]
        assert env.sql("PRAGMA foreign_key_check") == []

    # A reader who left before the kills resumes and gets each event once.
    with Server(env.binary, env.db, 2) as srv:
        s = Sse(srv.base, "/live/demo/events", last_event_id=before)
        got = []
        while True:
            e = s.next(timeout=3)
            if e is None:
                break
            got.append(e)
        s.close()
    assert [e["id"] for e in got] == list(range(before + 1, before + 1 + len(logged))), \
        [e["id"] for e in got][:10]
    assert [e["data"]["post_id"] for e in got] == logged
    print(f"  {rounds} crashes ({kills} SIGKILLs), {len(acked)} acknowledged posts, "
          f"{len(logged)} committed")
