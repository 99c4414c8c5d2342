"""Helpers for Liveline's end-to-end tests: start the real binary on an
ephemeral loopback port, talk to it with curl, parse its HTML, read its
database (SQLite or PostgreSQL) with the sqlite3 or psql command line.

Only the Python standard library and command-line tools (curl, sqlite3, psql,
pg_dump) are used, so the tests run on a fresh Debian machine with nothing but
`make test`'s packages.
"""
import ctypes
import hashlib
import html.parser
import http.client
import json
import shutil
import os
import re
import select
import signal
import socket
import struct
import subprocess
import tempfile
import time
import urllib.parse
import uuid
import zlib

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SEED = os.path.abspath(os.path.join(ROOT, "..", "shared", "seed",
                                    "000_19ac0cd5f19af9c6.txt"))
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "runtime error:", "ERROR: LeakSanitizer",
                   "WARNING: ThreadSanitizer")


class Skip(Exception):
    """Raised by a test that cannot run here (for example, without root)."""


def in_ci():
    """True where CI runs (CI=true, as GitHub Actions, GitLab and .ci set it)."""
    return os.environ.get("CI", "").lower() == "true"


def missing(what):
    """What a test raises when a tool or file it needs is missing (Chromium,
    the npm packages, feedparser, ../shared): a Skip on a developer's machine,
    but where CI runs a failure, since CI installs everything (`make test`) and
    a test that skips there checks nothing. Reasons that are not a missing tool
    (no root, no CAP_SYS_RESOURCE) stay a Skip everywhere."""
    if in_ci():
        return AssertionError(f"CI=true, and {what}: the test cannot run")
    return Skip(what)


def seed_path():
    if not os.path.exists(SEED):
        raise missing("../shared/seed is not here (a user's own clone)")
    return SEED


class Cli:
    """Runs `liveline --db DB ...` and keeps what it printed."""

    def __init__(self, binary, db):
        self.binary, self.db = binary, db

    def run(self, *args, stdin=None, check=None):
        p = subprocess.run([self.binary, "--db", self.db, *args], input=stdin,
                           capture_output=True, timeout=120)
        for mark in SANITIZER_MARKS:
            assert mark.encode() not in p.stderr, p.stderr.decode(errors="replace")
        if check is not None:
            assert p.returncode == check, (args, p.returncode, p.stderr.decode(errors="replace"))
        return p


class Server:
    """A `liveline serve` process on 127.0.0.1 with a free port."""

    def __init__(self, binary, db, workers=2, *extra):
        if db in PG_MEDIA and "--media" not in extra:
            extra = (*extra, "--media", PG_MEDIA[db])
        self.start([binary, "--db", db, "serve", "--listen", "127.0.0.1:0",
                    "--workers", str(workers), *extra])

    def start(self, argv, env=None):
        """Starts `argv` and waits (at most 30 s) for its "listening on" line."""
        self.errlog = tempfile.NamedTemporaryFile(prefix="liveline-e2e-", suffix=".log",
                                                  delete=False)
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=self.errlog, env=env)
        self.base = None
        deadline = time.time() + 30
        while time.time() < deadline:
            line = self.proc.stdout.readline().decode()
            if not line:
                break
            m = re.search(r"listening on (http://\S+?)/?$", line.strip())
            if m:
                self.base = m.group(1)
                break
        if not self.base:
            self.stop()
            raise AssertionError("server did not start: " + self.log())

    def log(self):
        with open(self.errlog.name, errors="replace") as f:
            return f.read()

    def workers(self):
        """PIDs of the worker processes (children of the master)."""
        with open(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children") as f:
            return [int(x) for x in f.read().split()]

    def stop(self):
        """SIGTERM; returns the exit status. Only our own PID is signalled.
        Stopping again only returns the status."""
        if self.proc.stdout.closed:
            return self.proc.returncode
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        log = self.log()
        os.unlink(self.errlog.name)
        for mark in SANITIZER_MARKS:
            assert mark not in log, log
        return self.proc.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self):
        return self.body.decode("utf-8")

    def header(self, name):
        return self.headers.get(name.lower())

    def json(self):
        return json.loads(self.body)


def curl(url, *args, method=None, headers=(), raw=False):
    """One request with curl; returns status, the last response's headers, body.
    With raw=True, curl does not decode gzip (we check the bytes ourselves)."""
    with tempfile.NamedTemporaryFile() as hf, tempfile.NamedTemporaryFile() as bf:
        cmd = ["curl", "-sS", "--max-time", "20", "-D", hf.name, "-o", bf.name]
        if method:
            cmd += ["-X", method]
        for h in headers:
            cmd += ["-H", h]
        cmd += [*args, url]
        p = subprocess.run(cmd, capture_output=True, timeout=30)
        assert p.returncode == 0, (cmd, p.stderr.decode(errors="replace"))
        head = open(hf.name, "rb").read().decode("latin-1")
        body = open(bf.name, "rb").read()
    blocks = [b for b in head.split("\r\n\r\n") if b.startswith("HTTP/")]
    lines = blocks[-1].split("\r\n")
    status = int(lines[0].split()[1])
    hdrs = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            hdrs[k.strip().lower()] = v.strip()
    return Response(status, hdrs, body)


def alive(pid):
    """Whether pid is a process that has not ended (a zombie has ended)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def wait_for(pred, timeout=5.0, step=0.05):
    """Polls pred() until it is true or `timeout` passes; returns its last value."""
    deadline = time.time() + timeout
    while True:
        v = pred()
        if v or time.time() > deadline:
            return v
        time.sleep(step)


# ---- a small DOM over html.parser -------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "source", "track", "wbr"}


class Node:
    def __init__(self, tag, attrs, parent=None):
        self.tag, self.attrs, self.parent, self.children = tag, dict(attrs), parent, []

    def classes(self):
        return (self.attrs.get("class") or "").split()

    def iter(self):
        for c in self.children:
            if isinstance(c, Node):
                yield c
                yield from c.iter()

    def find_all(self, tag=None, cls=None, **attrs):
        out = []
        for n in self.iter():
            if tag and n.tag != tag:
                continue
            if cls and cls not in n.classes():
                continue
            if any(n.attrs.get(k.rstrip("_")) != v for k, v in attrs.items()):
                continue
            out.append(n)
        return out

    def find(self, tag=None, cls=None, **attrs):
        r = self.find_all(tag, cls, **attrs)
        return r[0] if r else None

    def text(self, visible=False):
        """Text content; visible=True leaves out aria-hidden parts' opposites, i.e.
        visually hidden (.vh) text, giving what a sighted reader sees."""
        parts = []
        for c in self.children:
            if isinstance(c, Node):
                if visible and "vh" in c.classes():
                    continue
                parts.append(c.text(visible))
            else:
                parts.append(c)
        return "".join(parts)

    def spoken(self):
        """Text a screen reader gets: aria-hidden parts left out."""
        parts = []
        for c in self.children:
            if isinstance(c, Node):
                if c.attrs.get("aria-hidden") == "true":
                    continue
                parts.append(c.spoken())
            else:
                parts.append(c)
        return "".join(parts)


class _Builder(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.cur = self.root
        self.errors = []

    def handle_starttag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.cur.children.append(n)
        if tag not in VOID:
            self.cur = n

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        if n is None or n is self.root:
            self.errors.append(f"stray </{tag}>")
            return
        if n is not self.cur:
            self.errors.append(f"</{tag}> closes unclosed <{self.cur.tag}>")
        self.cur = n.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def parse_html(text):
    """Parses a document; fails on mis-nested tags (our HTML must be well formed)."""
    b = _Builder()
    b.feed(text)
    b.close()
    assert not b.errors, b.errors[:5]
    assert b.cur is b.root, f"unclosed <{b.cur.tag}>"
    return b.root


def squash(s):
    return re.sub(r"\s+", " ", s).strip()


# ---- test registry and environment ------------------------------------------

TESTS = []

# The store's backends, as run.py's --backend names them.
BACKENDS = ("sqlite", "pg")


def test(fn=None, *, backends=BACKENDS, why=None):
    """Registers a test. Bare (@test) it runs on every backend; a test about
    one backend itself (SQLite's file deleted under a server, say) names it,
    with the reason: @test(backends=("sqlite",), why="..."). run.py leaves
    such a test out of the other backends' runs (not "skipped": there is
    nothing to check there) and lists it by name with the reason."""
    def mark(f):
        assert set(backends) <= set(BACKENDS), backends
        assert why or set(backends) == set(BACKENDS), f"{f.__name__}: say why it is {backends} only"
        f.backends, f.why = tuple(backends), why
        TESTS.append(f)
        return f
    return mark(fn) if fn else mark


DEMO = os.path.join(ROOT, "data", "demo.txt")
HEADER = re.compile(r"^  (\d+)\. (.*)published at (\d\d:\d\d) (.+?) (\d+ \w+)$")


def capture_posts(path):
    """(number, title, hh:mm, zone long name, day month, breaking) from a capture."""
    lines = open(path, encoding="utf-8").read().split("\n")
    out = []
    for i, line in enumerate(lines):
        m = HEADER.match(line)
        if m:
            breaking = i + 1 < len(lines) and lines[i + 1] == "    Breaking"
            out.append((int(m.group(1)), m.group(2), m.group(3), m.group(4),
                        m.group(5), breaking))
    return out


class Env:
    """A temporary folder and a fresh database for one test, and the CLI on
    it. On SQLite the database is a file in the folder; on PostgreSQL
    (backend "pg") a database made for the test in the cluster that
    LIVELINE_TEST_PG names, and env.db is its URI, which `--db` takes as it
    is. Either way a test passes env.db on and reads the database through
    env.sql() and env.dump(), never with sqlite3 or psql itself."""

    def __init__(self, binary, backend="sqlite"):
        self.binary, self.backend = binary, backend
        self.dir = tempfile.mkdtemp(prefix="liveline-e2e-")
        self.db = None
        try:
            self.db = database_new(backend, self.dir)
            self.cli = Cli(binary, self.db)
            # Only init, import and serve make a database; tests that start
            # with `user add` need one, as an operator does.
            self.cli.run("init", check=0)
        except BaseException:
            self.close()
            raise

    def sql(self, query, pg=None):
        """Runs SQL on the test's database; rows as lists of text (see sql())."""
        return sql(self.db, query, pg)

    def sql_one(self, query, pg=None):
        return sql_one(self.db, query, pg)

    def dump(self):
        """Everything the database holds, as SQL text (bytes): for checks that
        something is stored nowhere (a password, a token)."""
        return database_dump(self.db)

    def import_capture(self, path, slug, year, title=None, zone="Europe/London", status=None):
        args = ["import", "--year", str(year), "--slug", slug, "--zone", zone]
        if title:
            args += ["--title", title]
        if status:
            args += ["--status", status]
        return self.cli.run(*args, path, check=0)

    def server(self, workers=2):
        return Server(self.binary, self.db, workers)

    def close(self):
        try:
            if self.db:
                database_drop(self.db)
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


# ---- the database: a fresh one per test, read with sqlite3 or psql ----------

def is_pg(db):
    """Whether `--db db` names PostgreSQL (a URI), as the binary decides."""
    return db.startswith(("postgresql://", "postgres://"))


def pg_server():
    """The URI of the PostgreSQL cluster the tests make their databases in
    (LIVELINE_TEST_PG: tests/run and run.py start one with tests/pg)."""
    uri = os.environ.get("LIVELINE_TEST_PG", "")
    if not uri:
        raise missing("LIVELINE_TEST_PG is not set (tests/pg start prints a cluster's URI)")
    assert is_pg(uri), f"LIVELINE_TEST_PG={uri}: a postgresql:// URI, please"
    return uri


def pg_uri(server, name):
    """The URI of database `name` on the server of URI `server`."""
    u = urllib.parse.urlsplit(server)  # (urlunsplit would drop the empty host's //)
    return f"{u.scheme}://{u.netloc}/{name}" + (f"?{u.query}" if u.query else "")


def pg_name(db):
    return urllib.parse.unquote(urllib.parse.urlsplit(db).path.lstrip("/"))


# The media folder of each database database_new() made on PostgreSQL.
PG_MEDIA = {}


def database_new(backend, folder):
    """A new database for one test: the path of a file in `folder` on SQLite
    (made by the first `init`, `import` or `serve`); on PostgreSQL the URI of
    an empty database created now (the schema is the binary's to make, as on
    SQLite), with a media folder in `folder` (media_of()). database_drop()
    removes it."""
    if backend == "sqlite":
        return os.path.join(folder, "live.db")
    assert backend == "pg", backend
    server = pg_server()
    name = "liveline_e2e_" + uuid.uuid4().hex[:16]
    psql(server, f"CREATE DATABASE {name}")
    db = pg_uri(server, name)
    PG_MEDIA[db] = os.path.join(folder, "media")
    return db


def database_drop(db):
    """Drops a database database_new() made on PostgreSQL, even if a server
    that a failed test left running still holds connections to it; on SQLite
    the file goes with the test's folder."""
    if is_pg(db):
        psql_close(db)
        psql(pg_server(), f"DROP DATABASE IF EXISTS {pg_name(db)} WITH (FORCE)")
        PG_MEDIA.pop(db, None)


class PsqlSession:
    """One psql kept running on a database: a test that reads its database
    hundreds of times (the role matrix) pays for one connection, not one a
    read. Errors do not end it; run() fails the test with psql's message."""

    def __init__(self, db):
        self.proc = subprocess.Popen(
            ["psql", "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=0",
             "-d", db, "-f", "-"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        os.set_blocking(self.proc.stderr.fileno(), False)
        self.run("SET client_min_messages = error")  # no notices taken for errors

    def run(self, script, timeout=120):
        """Runs the statements; returns what they printed, or fails the test
        with psql's error (an error message is all psql writes to stderr)."""
        mark = "-- e2e " + uuid.uuid4().hex
        # The closing ";" ends a last statement written without one, which
        # psql would otherwise hold until more input came.
        try:
            self.proc.stdin.write(f"{script}\n;\n\\echo '{mark}'\n".encode())
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass  # psql is gone: said below
        out, deadline = b"", time.time() + timeout
        end = (mark + "\n").encode()
        while not out.endswith(end):
            ready, _, _ = select.select([self.proc.stdout], [], [], max(0, deadline - time.time()))
            chunk = os.read(self.proc.stdout.fileno(), 1 << 16) if ready else b""
            if not chunk:
                self.close()
                raise AssertionError((script[:500], "psql ended or took too long",
                                      self.errors()))
            out += chunk
        err = self.errors()
        assert not err, (script[:500], err)
        return out[:-len(end)].decode(errors="backslashreplace")

    def errors(self):
        data = self.proc.stderr.read() or b""
        return data.decode(errors="replace")

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


PSQL = {}  # database URI: its PsqlSession


def psql(db, script):
    """Runs SQL with psql (statements may span lines and be several); returns
    its output: rows on lines, columns separated by tabs, NULL as nothing, no
    headers or command tags. An error fails the test."""
    session = PSQL.get(db)
    if session is not None:
        # A round trip first: a connection that PostgreSQL's restart ended is
        # only found out by using it, and the test's SQL must not be what
        # finds it (it would fail, or be sent twice).
        try:
            session.run("SELECT")
        except AssertionError:
            psql_close(db)
            session = None
    if session is None:
        session = PSQL[db] = PsqlSession(db)
    return session.run(script)


def psql_close(db):
    session = PSQL.pop(db, None)
    if session:
        session.close()


def database_dump(db):
    if is_pg(db):
        argv = ["pg_dump", "--no-owner", "-d", db]
    else:
        argv = ["sqlite3", db, ".dump"]
    p = subprocess.run(argv, capture_output=True, timeout=120)
    assert p.returncode == 0, (argv, p.stderr.decode(errors="replace"))
    return p.stdout


# ---- the newsroom: people, HTTP clients, forms and images -------------------
#
# Users are made with the command line (`user add`, `token create`), as an
# operator would; everything after that goes over HTTP with http.client, which
# lets a test send exactly the headers, methods and bodies it means to.

PASSWORD = "correct horse battery staple"  # long enough for every rule
SESSION_COOKIE = "liveline_session"

# The three roles, with a display name that says which is which.
STAFF = (("ada", "admin", "Ada Admin"), ("eve", "editor", "Eve Editor"),
         ("cal", "contributor", "Cal Contributor"))


def add_user(env, login, role, name, password=PASSWORD, byline_role=None, check=0):
    """`liveline user add`; the password goes on standard input."""
    args = ["user", "add", login, "--role", role, "--name", name]
    if byline_role is not None:
        args += ["--byline-role", byline_role]
    return env.cli.run(*args, "--password-stdin", stdin=(password + "\n").encode(),
                       check=check)


def make_token(env, login, label="e2e"):
    """`liveline token create`; returns the token it printed."""
    out = env.cli.run("token", "create", login, "--label", label, check=0).stdout.decode()
    token = out.strip().split()[-1]
    assert re.fullmatch(r"[A-Za-z0-9_-]{20,}", token), out
    return token


def add_staff(env):
    """An admin, an editor and a contributor (STAFF), each with an API token;
    returns {login: token}."""
    tokens = {}
    for login, role, name in STAFF:
        add_user(env, login, role, name)
        tokens[login] = make_token(env, login, f"{login}'s script")
    return tokens


def request(base, method, path, body=None, headers=None, timeout=60):
    """One HTTP request with http.client (no redirects followed, the path sent
    as given); returns a Response. Repeated headers are joined with ", "."""
    host, port = base.split("//")[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=dict(headers or {}))
        r = conn.getresponse()
        data = r.read()
        hdrs = {}
        for k, v in r.getheaders():
            k = k.lower()
            hdrs[k] = hdrs[k] + ", " + v if k in hdrs else v
        return Response(r.status, hdrs, data)
    finally:
        conn.close()


class Api:
    """Calls /api/v1 as one user: with a bearer token, or with a session
    cookie and its CSRF token (sent as X-CSRF-Token unless csrf=False), or as
    nobody."""

    def __init__(self, base, token=None, cookie=None, csrf=None):
        self.base, self.token, self.cookie, self.csrf = base, token, cookie, csrf

    def call(self, method, path, body=None, raw=None, headers=None, csrf=True):
        h = {}
        if self.token:
            h["Authorization"] = "Bearer " + self.token
        if self.cookie:
            h["Cookie"] = f"{SESSION_COOKIE}={self.cookie}"
        if self.csrf and csrf:
            h["X-CSRF-Token"] = self.csrf
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        elif raw is not None:
            data = raw
        h.update(headers or {})
        return request(self.base, method, "/api/v1" + path, data, h)

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.call("POST", path, body, **kw)

    def put(self, path, body=None, **kw):
        return self.call("PUT", path, body, **kw)

    def patch(self, path, body=None, **kw):
        return self.call("PATCH", path, body, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)

    def ok(self, method, path, body=None, status=200, **kw):
        """A call that must answer `status`; returns its JSON (None for 204)."""
        r = self.call(method, path, body, **kw)
        assert r.status == status, (method, path, r.status, r.body[:500])
        if status == 204:
            return None
        assert r.header("content-type").startswith("application/json"), r.headers
        return r.json()


def api_error(r, status, code):
    """Asserts r is the API's error document with this status and code."""
    assert r.status == status, (status, r.status, r.body[:500])
    assert r.header("content-type").startswith("application/json"), r.headers
    doc = r.json()
    assert set(doc) == {"error"} and set(doc["error"]) == {"code", "message"}, doc
    assert doc["error"]["code"] == code, (code, doc)
    assert isinstance(doc["error"]["message"], str) and doc["error"]["message"], doc
    return doc["error"]["message"]


def multipart(fields, files=()):
    """A multipart/form-data body: fields [(name, value)], files
    [(name, filename, content type, bytes)]. Returns (body, content type)."""
    boundary = "----liveline-e2e-" + uuid.uuid4().hex
    out = []
    for name, value in fields:
        out.append(f"--{boundary}\r\nContent-Disposition: form-data; "
                   f"name=\"{name}\"\r\n\r\n".encode())
        out.append(value.encode() if isinstance(value, str) else value)
        out.append(b"\r\n")
    for name, filename, ctype, data in files:
        out.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; "
                   f"filename=\"{filename}\"\r\nContent-Type: {ctype}\r\n\r\n".encode())
        out.append(data)
        out.append(b"\r\n")
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out), f"multipart/form-data; boundary={boundary}"


CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def csrf_of(page_html):
    """The CSRF token a newsroom page carries (its <meta name="csrf-token">)."""
    m = CSRF_META.search(page_html)
    return m.group(1) if m else None


def cookie_of(set_cookie, name=SESSION_COOKIE):
    """The value of cookie `name` (the session's) in a Set-Cookie value, or None."""
    m = re.search(name + r"=([^;]*)", set_cookie or "")
    return m.group(1) if m else None


SIGNIN_COOKIE = "liveline_signin"


def signin_form_token(base, headers=None):
    """GETs the sign-in page as a browser would before posting it: returns
    (the liveline_signin cookie, the form's signin_token field)."""
    r = request(base, "GET", "/newsroom/signin", None, headers or {})
    assert r.status == 200, r.status
    m = re.search(r'name="signin_token" value="([^"]+)"', r.text)
    assert m, r.text[:2000]
    return cookie_of(r.header("set-cookie"), SIGNIN_COOKIE), m.group(1)


class Browser:
    """Someone using the newsroom's pages without JavaScript: a session cookie,
    the CSRF token read from the pages, forms posted urlencoded (or multipart
    when `files` are given). Redirects are not followed: tests look at them."""

    def __init__(self, base):
        self.base, self.cookie, self.csrf = base, None, None
        self.signin_cookie = None

    def headers(self, extra=None):
        h = {}
        cookies = []
        if self.cookie:
            cookies.append(f"{SESSION_COOKIE}={self.cookie}")
        if self.signin_cookie:
            cookies.append(f"{SIGNIN_COOKIE}={self.signin_cookie}")
        if cookies:
            h["Cookie"] = "; ".join(cookies)
        h.update(extra or {})
        return h

    def get(self, path, headers=None):
        r = request(self.base, "GET", path, None, self.headers(headers))
        if r.status == 200 and "text/html" in (r.header("content-type") or ""):
            self.csrf = csrf_of(r.text) or self.csrf
        return r

    def post(self, path, fields=(), files=(), csrf=True, headers=None):
        """Posts a form; csrf=True adds the session's token, a string sends that
        instead, False sends none."""
        fields = list(fields.items()) if isinstance(fields, dict) else list(fields)
        if csrf is True:
            fields.append(("csrf", self.csrf or ""))
        elif csrf:
            fields.append(("csrf", csrf))
        if files:
            body, ctype = multipart(fields, files)
        else:
            body = urllib.parse.urlencode(fields).encode()
            ctype = "application/x-www-form-urlencoded"
        return request(self.base, "POST", path, body,
                       self.headers({"Content-Type": ctype, **(headers or {})}))

    def signin(self, login, password=PASSWORD, headers=None, token=True):
        """Signs in through the form (the sign-in page first, for its token
        and cookie, unless token=False); on success keeps the session cookie
        and the CSRF token."""
        fields = {"login": login, "password": password}
        if token:
            if not self.signin_cookie:
                self.signin_cookie, self.signin_token = signin_form_token(self.base)
            fields["signin_token"] = self.signin_token
        r = self.post("/newsroom/signin", fields, csrf=False, headers=headers)
        if r.status == 303:
            self.cookie = cookie_of(r.header("set-cookie"))
            assert self.cookie, r.headers
            page = self.get("/newsroom")
            assert page.status == 200, (page.status, page.body[:300])
            assert self.csrf, "no csrf-token meta on /newsroom"
        return r

    def api(self):
        """An Api client on this browser's session (with its CSRF token)."""
        return Api(self.base, cookie=self.cookie, csrf=self.csrf)


def sql(db, query, pg=None):
    """Runs SQL on database `db` (a file: the sqlite3 command line; a URI:
    psql) and returns the rows as lists of text, the same on both: columns
    separated by tabs, NULL as "", blobs as their bytes (SQLite) or \\x and
    hex (PostgreSQL). The SQL is the same for both where the dialects agree,
    which is almost everywhere; `pg` is PostgreSQL's spelling where they do
    not (hex(x) is encode(x, 'hex') there). Several statements may be given;
    the first error fails the test."""
    if is_pg(db):
        out = psql(db, pg if pg is not None else query)
    else:
        p = subprocess.run(["sqlite3", "-bail", "-cmd", ".timeout 10000", "-separator", "\t", db],
                           input=query.encode(), capture_output=True, timeout=60)
        assert p.returncode == 0, (query[:500], p.stderr.decode(errors="replace"))
        out = p.stdout.decode(errors="backslashreplace")  # token hashes are blobs
    return [line.split("\t") for line in out.splitlines()]


def sql_one(db, query, pg=None):
    """The single value a query selects."""
    rows = sql(db, query, pg)
    assert len(rows) == 1 and len(rows[0]) == 1, (query, rows)
    return rows[0][0]


def sql_text(text):
    """`text` as an SQL string literal (standard SQL: quotes doubled), for
    values too long or too odd to write into a test's SQL by hand."""
    assert "\0" not in text
    return "'" + text.replace("'", "''") + "'"


def media_dir(env):
    """The media folder of env's database (see media_of())."""
    return media_of(env.db)


def media_of(db):
    """The folder of uploaded images of a server on `db`: on SQLite the
    default, DB-media beside the file; on PostgreSQL, where there is no file
    to put it beside, a folder in the test's own that Server gives to serve
    with --media."""
    # Given as --media (Server adds it) rather than as LIVELINE_MEDIA in the
    # environment: a test's command line then shows which folder it used.
    return PG_MEDIA.get(db, db + "-media")


def list_files(folder):
    """Every file below `folder` (relative paths, sorted); [] if it is missing."""
    out = []
    for dirpath, _, names in os.walk(folder):
        for n in names:
            out.append(os.path.relpath(os.path.join(dirpath, n), folder))
    return sorted(out)


def _png_chunk(kind, data):
    return (struct.pack(">I", len(data)) + kind + data +
            struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))


def png(width, height, color=(200, 40, 40), chunks=()):
    """A valid 8-bit RGB PNG: a diagonal gradient over `color`, so that two
    colours give two different images. `chunks` are extra (type, data) chunks
    written before the pixels (tEXt, eXIf...)."""
    rows = []
    for y in range(height):
        row = bytearray(b"\x00")
        for x in range(0, width, 8):
            v = ((x + y) // 8) % 64
            px = bytes(((color[0] + v) % 256, color[1], (color[2] + v) % 256))
            row += px * min(8, width - x)
        rows.append(bytes(row))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    out = b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr)
    for kind, data in chunks:
        out += _png_chunk(kind, data)
    return out + _png_chunk(b"IDAT", zlib.compress(b"".join(rows), 6)) + _png_chunk(b"IEND", b"")


def png_header_only(width, height):
    """A PNG's signature and header claiming width x height, and no pixels:
    enough for a server that checks the size before decoding."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) +
            _png_chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + _png_chunk(b"IEND", b""))


def png_chunk_types(data):
    """The chunk types of a PNG, in order."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:16]
    out, i = [], 8
    while i + 8 <= len(data):
        n, kind = struct.unpack(">I4s", data[i:i + 8])
        out.append(kind.decode("latin-1"))
        i += 12 + n
    return out


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


# ---- sockets seen from outside: a capture on lo, the server's own socket ----

class LoopbackCapture:
    """The TCP segments a server port sends on lo, from an AF_PACKET socket
    (root only): [(destination port, payload bytes)], in order; those without
    payload (ACKs, keepalive probes) only when asked for."""

    def __init__(self, port):
        self.port = port
        try:
            self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.ntohs(3))
        except PermissionError:
            raise Skip("capturing on lo needs root (CI runs as root)")
        self.sock.bind(("lo", 0))
        self.sock.setblocking(False)

    def segments(self, empty=False):
        out = []
        while True:
            try:
                frame, addr = self.sock.recvfrom(262144)
            except BlockingIOError:
                return out
            if addr[2] != socket.PACKET_OUTGOING or frame[12:14] != b"\x08\x00":
                continue  # lo shows each packet twice; IPv4 only
            ip = frame[14:]
            ihl = (ip[0] & 15) * 4
            if ip[9] != 6:
                continue
            tcp = ip[ihl:]
            sport, dport = int.from_bytes(tcp[0:2], "big"), int.from_bytes(tcp[2:4], "big")
            payload = int.from_bytes(ip[2:4], "big") - ihl - (tcp[12] >> 4) * 4
            if sport == self.port and (payload > 0 or empty):
                out.append((dport, payload))

    def close(self):
        self.sock.close()


def server_sockopt(worker, local_port, peer_port, level, option):
    """An option of the worker's socket for the connection from peer_port, read
    through a duplicate of it (pidfd_getfd, root only)."""
    want = f"{local_port:04X}", f"{peer_port:04X}"
    inode = None
    with open(f"/proc/{worker}/net/tcp") as f:
        for line in f.readlines()[1:]:
            cols = line.split()
            if (cols[1].split(":")[1], cols[2].split(":")[1]) == want:
                inode = cols[9]
    assert inode, "the server's end of the connection is not in /proc/net/tcp"
    for fd in os.listdir(f"/proc/{worker}/fd"):
        try:
            if os.readlink(f"/proc/{worker}/fd/{fd}") == f"socket:[{inode}]":
                break
        except OSError:
            pass
    else:
        raise AssertionError("the worker holds no descriptor for the connection")
    libc = ctypes.CDLL(None, use_errno=True)
    pidfd = os.pidfd_open(worker)
    try:
        dup = libc.syscall(438, pidfd, int(fd), 0)  # pidfd_getfd
        if dup < 0:
            raise Skip("pidfd_getfd: " + os.strerror(ctypes.get_errno()))
    finally:
        os.close(pidfd)
    s = socket.socket(fileno=dup)
    try:
        return s.getsockopt(level, option)
    finally:
        s.detach()
        os.close(dup)
