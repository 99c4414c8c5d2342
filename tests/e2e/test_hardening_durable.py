"""Nothing acknowledged is lost (issue 18): the database deleted or replaced
under a running server, commands that must not create a database at a mistyped
path, the master's supervision of its workers, the kernel memory of readers who
stopped reading, and a low open-file limit. The crash-consistency test is
test_crash.py.
"""
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import time

from lib import (DEMO, Api, Cli, Server, add_staff, alive, api_error, curl, missing, request,
                 server_sockopt, test, wait_for)


def proc_state(pid):
    """The one-letter state of a process, or None when it is gone (reaped)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return None


def publish(api, title):
    return api.post("/pages/demo/posts", {"title": title, "body": f"{title}: a paragraph."})


def exported_titles(env):
    doc = json.loads(env.cli.run("export", "--format", "json", "demo", check=0).stdout)
    return {p["title"] for p in doc["posts"]}


# ---- the database file deleted or replaced under a running server ----------

# SQLite only: the database is a file that an operator deletes; a PostgreSQL
# database is not removed from under an open connection.
@test(backends=("sqlite",), why="the database file deleted under a running server")
def database_deleted_under_server_refuses_writes_and_says_so(env):
    """SQLite goes on writing to a deleted file it holds open: before, 50 posts
    were answered 201 and lost at restart, with no log line."""
    env.import_capture(DEMO, "demo", 2026)
    tokens = add_staff(env)
    with env.server() as srv:
        api = Api(srv.base, tokens["eve"])
        assert publish(api, "Before").status == 201
        os.unlink(env.db)  # an operator's mistaken rm
        for i in range(3):
            msg = api_error(publish(api, f"After {i}"), 503, "unavailable")
            assert "deleted or replaced" in msg, msg
        # said loudly, at error level, by the workers' timers
        assert wait_for(lambda: re.search(r" error: worker: the database file \S+ was deleted "
                                          r"or replaced", srv.log()), timeout=5), srv.log()
        # readers still get the page
        assert curl(srv.base + "/live/demo").status == 200


# SQLite only: another file moved over the open one has no PostgreSQL
# counterpart (a restore goes through the server, which every node sees).
@test(backends=("sqlite",), why="another file moved over the open database file")
def database_replaced_under_server_loses_no_acknowledged_post(env):
    """A database put in place of the open one (a restored backup, a copy moved
    over it): every post answered 201 must be in the file a restart opens."""
    env.import_capture(DEMO, "demo", 2026)
    tokens = add_staff(env)
    acknowledged = []
    with env.server() as srv:
        api = Api(srv.base, tokens["eve"])
        for i in range(3):
            assert publish(api, f"Kept {i}").status == 201
            acknowledged.append(f"Kept {i}")
        copy = env.db + ".copy"
        env.sql(f".backup '{copy}'")
        os.rename(copy, env.db)
        for i in range(5):
            r = publish(api, f"Into the old file {i}")
            if r.status == 201:
                acknowledged.append(f"Into the old file {i}")
            else:
                api_error(r, 503, "unavailable")
        assert wait_for(lambda: " error: worker: the database file" in srv.log(), timeout=5)
    with env.server() as srv:
        assert set(acknowledged) <= exported_titles(env), acknowledged
        assert len(acknowledged) == 3, "posts into the replaced file were acknowledged"


# ---- no database made at a mistyped path -------------------------------------

# SQLite only: it names database files by path, which are SQLite on either run.
@test(backends=("sqlite",), why="mistyped database file paths (SQLite on any run)")
def commands_refuse_a_missing_database_and_create_none(env):
    missing = os.path.join(env.dir, "typo.db")
    cli = Cli(env.binary, missing)
    commands = (["list"], ["export", "demo"], ["post", "demo", "--title", "T"],
                ["edit", "demo", "1", "--title", "T"], ["delete", "demo", "1"],
                ["pin", "demo", "1"], ["unpin", "demo"], ["summary", "demo"],
                ["status", "demo", "live"], ["user", "list"],
                ["user", "add", "ann", "--role", "editor", "--password-stdin"],
                ["user", "disable", "ann"], ["token", "list"],
                ["token", "create", "ann", "--label", "x"], ["token", "revoke", "1"])
    for args in commands:
        p = cli.run(*args, stdin=b"a long enough password\n- point\n")
        err = p.stderr.decode()
        assert p.returncode == 1, (args, p.returncode, err)
        assert f"no database at {missing}" in err, (args, err)
        assert not [f for f in os.listdir(env.dir) if f.startswith("typo")], (args, os.listdir(env.dir))
    # a folder that does not exist either
    p = Cli(env.binary, os.path.join(env.dir, "nowhere", "x.db")).run("list")
    assert p.returncode == 1 and b"no database at" in p.stderr, p.stderr
    # init makes one, explicitly; then the commands work
    p = cli.run("init", check=0)
    assert b"created an empty database" in p.stdout, p.stdout
    assert cli.run("list", check=0).stdout == b""
    assert b"already" in cli.run("init", check=0).stdout
    # import makes one too
    other = Cli(env.binary, os.path.join(env.dir, "imported.db"))
    other.run("import", "--year", "2026", "--slug", "demo", DEMO, check=0)
    assert other.run("list", check=0).stdout.startswith(b"demo\t")


# SQLite only: a file path again; on PostgreSQL the database is the
# operator's to create (CREATE DATABASE), and serve makes the schema in it.
@test(backends=("sqlite",), why="a database file path (SQLite on any run)")
def first_serve_creates_the_database_and_says_so(env):
    path = os.path.join(env.dir, "fresh.db")
    with Server(env.binary, path, 1) as srv:
        assert curl(srv.base + "/").status == 200
        assert f"there was no database at {path}: created an empty one" in srv.log(), srv.log()
    with Server(env.binary, path, 1) as srv:
        assert "created" not in srv.log(), srv.log()


# ---- the master supervises its workers ---------------------------------------

# SQLite only: the worker is made to fail at start by putting a folder where
# the database file was. (A PostgreSQL database that is down is the
# multi-node tests' restart of the cluster.)
@test(backends=("sqlite",), why="a folder put in place of the database file to fail a worker's start")
def worker_that_dies_while_starting_is_restarted_with_backoff(env):
    """Before, the master gave up on the slot for good (with none left it
    exited)."""
    env.import_capture(DEMO, "demo", 2026)
    with env.server() as srv:
        a, b = srv.workers()
        away = env.db + ".away"
        os.rename(env.db, away)
        os.mkdir(env.db)  # a worker starting now cannot open the database
        os.kill(a, signal.SIGKILL)
        starting = re.compile(r"worker \d+ exited with status 1 while starting; "
                              r"restarting it in (\d+) ms")
        assert wait_for(lambda: len(starting.findall(srv.log())) >= 3, timeout=15), srv.log()
        delays = [int(x) for x in starting.findall(srv.log())]
        assert delays[:3] == sorted(delays[:3]) and delays[0] < delays[2], delays
        assert alive(b), "the other worker serves on"
        os.rmdir(env.db)
        os.rename(away, env.db)
        assert wait_for(lambda: "is serving (restart" in srv.log(), timeout=15), srv.log()
        workers = srv.workers()
        assert len(workers) == 2 and all(alive(w) for w in workers), workers
        for _ in range(8):  # both workers answer (the kernel spreads connections)
            assert curl(srv.base + "/live/demo").status == 200


def catch_starting_worker(srv, known, timeout=20):
    """Stops (SIGSTOP) a worker that the master has just started, before it
    is ready, and returns its pid; one caught too late is killed (SIGKILL) and
    the next restart tried. `known`: the pids that are not new."""
    known = set(known)
    deadline = time.time() + timeout
    while time.time() < deadline:
        for p in srv.workers():
            if p in known:
                continue
            known.add(p)
            try:
                os.kill(p, signal.SIGSTOP)
            except ProcessLookupError:
                continue
            if not wait_for(lambda: proc_state(p) in ("T", "Z", None), timeout=2):
                continue
            if proc_state(p) == "T" and not execed(p):
                # Caught between fork and exec, still the master's copy:
                # let it go on, and look at it again.
                os.kill(p, signal.SIGCONT)
                known.discard(p)
                continue
            if proc_state(p) == "T" and not has_event_loop(p):
                return p
            os.kill(p, signal.SIGKILL)  # it was ready already: try the next restart
            os.kill(p, signal.SIGCONT)
        time.sleep(0.0005)
    raise AssertionError("no restarted worker could be caught while starting")


def execed(pid):
    """Whether a worker has been exec'd (the master passes LIVELINE_WORKER in
    its environment), rather than still being the master's forked copy."""
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            return b"LIVELINE_WORKER=" in f.read()
    except OSError:
        return False


def has_event_loop(pid):
    """Whether process `pid` has made an epoll set (a worker makes its first,
    the stream hub's, well before it tells the master it is ready, so one
    that has none has certainly not told it). Its listening socket says
    nothing: a worker inherits it from the master at birth."""
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") == "anon_inode:[eventpoll]":
                return True
        except OSError:
            continue
    return False


@test
def master_reaps_and_restarts_while_a_worker_hangs_starting(env):
    """Before, the master waited on a starting worker's readiness with a
    blocking read: while one hung, another's death went unnoticed (a zombie,
    never restarted)."""
    env.import_capture(DEMO, "demo", 2026)
    with env.server() as srv:
        a, b = srv.workers()
        os.kill(a, signal.SIGKILL)
        # Stop a restarted worker before it listens: it then "hangs" starting.
        hung = catch_starting_worker(srv, {a, b})
        try:
            served = srv.log().count("is serving (restart")
            os.kill(b, signal.SIGKILL)
            assert wait_for(lambda: f"worker {b} died of signal 9 while serving" in srv.log(),
                            timeout=10), srv.log()
            assert wait_for(lambda: proc_state(b) is None, timeout=5), "never reaped"
            # b's replacement starts and serves while the hung one still hangs
            assert wait_for(lambda: srv.log().count("is serving (restart") > served,
                            timeout=30), srv.log()
            assert proc_state(hung) == "T"
            assert curl(srv.base + "/live/demo").status == 200
        finally:
            os.kill(hung, signal.SIGCONT)
        assert wait_for(lambda: len([p for p in srv.workers() if alive(p)]) == 2, timeout=15)


@test
def workers_exit_when_their_master_is_killed(env):
    """Before, they served on with no supervisor and held the port against a
    new `serve`."""
    env.import_capture(DEMO, "demo", 2026)
    srv = env.server()
    try:
        workers = srv.workers()
        port = srv.base.rsplit(":", 1)[1]
        srv.proc.kill()
        srv.proc.wait()
        assert wait_for(lambda: not any(alive(w) for w in workers), timeout=15), \
            [proc_state(w) for w in workers]
    finally:
        srv.stop()
    p = subprocess.Popen([env.binary, "--db", env.db, "serve", "--listen", f"127.0.0.1:{port}",
                          "--workers", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        line = p.stdout.readline().decode()
        assert f"listening on http://127.0.0.1:{port}/" in line, p.stderr.read1().decode()
        assert curl(f"http://127.0.0.1:{port}/live/demo").status == 200
    finally:
        p.terminate()
        p.wait(timeout=15)


# ---- readers who stop reading hold no kernel memory once dropped --------------

def sockstat_tcp_pages():
    with open("/proc/net/sockstat") as f:
        for line in f:
            if line.startswith("TCP:"):
                return int(line.split()[-1])
    return 0


def server_side_queued(port):
    """(sockets, bytes queued to send) of the server's connections on `port`.
    The queue is skmem's w (wmem_queued), not t (wmem_alloc): on loopback t
    stays 0 while hundreds of MB wait to be sent."""
    out = subprocess.run(["ss", "-tnmH", "state", "all", f"sport = :{port}"],
                         capture_output=True, text=True, check=True).stdout
    n = queued = 0
    for m in re.finditer(r"skmem:\(r\d+,rb\d+,t\d+,tb\d+,f\d+,w(\d+),", out):
        n += 1
        queued += int(m.group(1))
    return n, queued


@test
def dropped_readers_release_their_kernel_send_queues(env):
    """200 readers that never read: once the server drops them (they fell
    behind its ring), nothing stays queued for them in the kernel. Before, a
    normal close kept each one's unsent bytes (about 790 KB a reader) in an
    orphaned socket."""
    if not shutil.which("ss"):
        raise missing("ss is not installed (iproute2)")
    env.import_capture(DEMO, "demo", 2026, status="live")
    srv = Server(env.binary, env.db, 1, "--replay", "4")
    socks = []
    try:
        port = int(srv.base.rsplit(":", 1)[1])
        baseline = sockstat_tcp_pages()
        # A reading stream's socket has the bounded send buffer (the kernel
        # doubles what is asked); root reads it through pidfd_getfd.
        if os.geteuid() == 0:
            probe = socket.create_connection(("127.0.0.1", port))
            probe.sendall(b"GET /live/demo/events HTTP/1.1\r\nHost: x\r\n\r\n")
            probe.recv(100)
            # The stream sets it when it takes the connection over, which can
            # come just after the headers reach the client: wait for it.
            def sndbuf():
                return server_sockopt(srv.workers()[0], port, probe.getsockname()[1],
                                      socket.SOL_SOCKET, socket.SO_SNDBUF)
            assert wait_for(lambda: sndbuf() == 2 * 32768, timeout=5), sndbuf()
            probe.close()
        n = 200
        for _ in range(n):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(b"GET /live/demo/events HTTP/1.1\r\nHost: x\r\n\r\n")
            socks.append(s)
        assert wait_for(lambda: server_side_queued(port)[0] >= n + 1, timeout=10)
        body = ("A long post, **as a wire story is**, that readers who stopped reading "
                "never take. " * 99 + "\n").encode()  # within the 8 KiB body limit
        for i in range(120):  # bounded: about 40 posts drop them all
            env.cli.run("post", "demo", "--title", f"Post {i}", stdin=body, check=0)
            if srv.log().count("dropping a reader") >= n:
                break
        assert wait_for(lambda: srv.log().count("dropping a reader") >= n, timeout=10), \
            srv.log().count("dropping a reader")
        held = sockstat_tcp_pages()
        # Only the listening socket is left on the server's side: the dropped
        # readers' connections were reset, their queues freed.
        assert wait_for(lambda: server_side_queued(port) == (1, 0), timeout=10), \
            server_side_queued(port)
        print(f"  TCP memory: {baseline} pages before, {held} with {n} dropped readers "
              f"(their own receive queues, on the client side)")
    finally:
        for s in socks:
            s.close()
        srv.stop()


# ---- a low open-file limit ---------------------------------------------------

def serve_with_nofile(env, limit, workers=1):
    def lower():
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))
    return subprocess.Popen([env.binary, "--db", env.db, "serve", "--listen", "127.0.0.1:0",
                             "--workers", str(workers)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, preexec_fn=lower)


def held_connections_all_answered(base, count):
    """Opens `count` keep-alive connections at once, each answered while all
    the others are held open."""
    host, port = base.split("//")[1].split(":")
    socks = []
    try:
        for _ in range(count):
            s = socket.create_connection((host, int(port)), timeout=10)
            socks.append(s)
        answered = 0
        for s in socks:
            s.sendall(b"GET /live/demo HTTP/1.1\r\nHost: x\r\n\r\n")
            try:
                if s.recv(12).startswith(b"HTTP/1.1 200"):
                    answered += 1
            except OSError:
                pass
        return answered
    finally:
        for s in socks:
            s.close()


@test
def low_open_file_limit_serves_many_connections(env):
    """Before, the server reserved 320 descriptors it never used and took one
    connection per worker at `ulimit -n 64` or 200."""
    env.import_capture(DEMO, "demo", 2026)
    # At the least limit it starts with (48), the 16 connections its refusal
    # below promises.
    for limit, count in ((48, 16), (64, 24), (200, 120)):
        p = serve_with_nofile(env, limit)
        try:
            line = p.stdout.readline().decode()
            m = re.search(r"listening on (http://\S+?)/?$", line.strip())
            assert m, (limit, line, p.stderr.read1().decode() if p.poll() is not None else "")
            assert held_connections_all_answered(m.group(1), count) == count, limit
        finally:
            p.terminate()
            p.wait(timeout=15)


@test
def too_low_open_file_limit_refuses_to_start(env):
    env.import_capture(DEMO, "demo", 2026)
    p = serve_with_nofile(env, 40)
    out, err = p.communicate(timeout=30)
    assert p.returncode == 1, (p.returncode, out, err)
    assert b"the open-file limit is 40" in err and b"needs at least 48" in err, err
