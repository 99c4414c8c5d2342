"""Helpers for Liveline's end-to-end tests: start the real binary on an
ephemeral loopback port, talk to it with curl, parse its HTML.

Only the Python standard library and curl are used, so the tests run on a
fresh Debian machine with nothing but `make test`'s packages.
"""
import html.parser
import shutil
import os
import re
import signal
import subprocess
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SEED = os.path.abspath(os.path.join(ROOT, "..", "shared", "seed",
                                    "000_19ac0cd5f19af9c6.txt"))
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "runtime error:", "ERROR: LeakSanitizer")


class Skip(Exception):
    """Raised by a test that cannot run here (for example, no ../shared)."""


def seed_path():
    if not os.path.exists(SEED):
        raise Skip("../shared/seed is not here (a user's own clone)")
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
        self.errlog = tempfile.NamedTemporaryFile(prefix="liveline-e2e-", suffix=".log",
                                                  delete=False)
        self.proc = subprocess.Popen(
            [binary, "--db", db, "serve", "--listen", "127.0.0.1:0",
             "--workers", str(workers), *extra],
            stdout=subprocess.PIPE, stderr=self.errlog)
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
        """SIGTERM; returns the exit status. Only our own PID is signalled."""
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


def test(fn):
    TESTS.append(fn)
    return fn


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
    """A temporary folder with a database, and the CLI on it."""

    def __init__(self, binary):
        self.dir = tempfile.mkdtemp(prefix="liveline-e2e-")
        self.db = os.path.join(self.dir, "live.db")
        self.cli = Cli(binary, self.db)
        self.binary = binary

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
        shutil.rmtree(self.dir, ignore_errors=True)


