"""End-to-end tests of the newsroom (/newsroom) as people use it: headless
Chromium signs in through the sign-in form, writes in the desk's composer,
edits, pins, deletes and schedules, while a reader who is not signed in has
the live page open in another browser context. Each scenario is a script in
tests/e2e/browser/newsroom_*.mjs (helpers in newsroom_lib.mjs); it prints what
it checked and exits 0, or prints why and exits 1.

One server and one Chromium serve the whole file (starting them is what
costs, not a scenario): the first scenario starts the server on a database
of its own with an admin, two editors and a contributor, signs them in once
(the scripts' browsers start with those sessions; scenario a and the
contributor's sign in through the form) and starts Chromium
(newsroom_browser.mjs); the last test stops the server and checks its log.
Every scenario works on a live page of its own, made here through the API
(scenario a makes its own through the "New live page" form), so they do not
depend on one another and any one can run alone (-k NAME).

Needs node, /usr/bin/chromium and tests/e2e/node_modules
(`cd tests/e2e && npm ci --no-audit --no-fund`).
"""
import atexit
import http.client
import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
import urllib.parse
import zlib

from lib import (ROOT, SANITIZER_MARKS, Cli, Server, Skip, database_drop, database_new, missing,
                 signin_form_token, test)

HERE = os.path.dirname(os.path.abspath(__file__))
CHROMIUM = "/usr/bin/chromium"
# One worker: the editor's requests and the reader's stream then share a
# worker, so a change made through the newsroom must reach streams in the
# process that made it, every time (with more workers that case comes up by
# chance). Changes from another process, the command line, are what
# test_browser.py follows.
WORKERS = 1

# role in the scripts -> (login, role, display name)
USERS = {
    "admin": ("ada", "admin", "Ada Admin"),
    "editor": ("ann", "editor", "Ann Editor"),
    "editor2": ("bob", "editor", "Bob Editor"),
    "contributor": ("cara", "contributor", "Cara Contributor"),
}


def photo_png(width=1200, height=800):
    """An 8-bit RGB PNG of a sky-to-sea gradient with a sun: a photo-sized
    image that compresses like a picture, not like a flat colour."""
    rows = []
    sun_x, sun_y, sun_r = width * 7 // 10, height * 3 // 10, height // 10
    for y in range(height):
        if y < height * 6 // 10:
            r, g, b = 255 - y * 100 // height, 140 + y * 60 // height, 90 + y * 160 // height
        else:
            r, g, b = 20, 60 + (y % 7) * 6, 120 + (y % 5) * 10
        row = bytearray(b"\x00")
        for x in range(0, width, 40):  # 40-pixel bands, darker to the right
            row += bytes((max(0, r - x // 40), g, b)) * min(40, width - x)
        dy = y - sun_y
        if dy * dy < sun_r * sun_r:
            half = int((sun_r * sun_r - dy * dy) ** 0.5)
            row[1 + 3 * (sun_x - half):1 + 3 * (sun_x + half)] = b"\xff\xe0\x40" * (2 * half)
        rows.append(bytes(row))

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) +
            chunk(b"IDAT", zlib.compress(b"".join(rows), 6)) + chunk(b"IEND", b""))


def http_call(base, method, path, body=None, headers=None):
    """One request, no redirect followed; returns (status, headers, body)."""
    u = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


class Newsroom:
    """The file's one server: a folder of its own (each test's Env is removed
    when the test ends), its users, the photo, and `liveline serve`."""

    def __init__(self, binary, backend):
        self.binary, self.backend = binary, backend
        self.dir = tempfile.mkdtemp(prefix="liveline-e2e-newsroom-")
        self.db = database_new(backend, self.dir)
        self.cli = Cli(binary, self.db)
        self.cli.run("init", check=0)
        self.users = {}
        for key, (login, role, name) in USERS.items():
            password = f"{login} correct horse battery"
            p = self.cli.run("user", "add", login, "--role", role, "--name", name,
                             "--password-stdin", stdin=(password + "\n").encode())
            assert p.returncode == 0, (
                f"liveline user add {login} failed ({p.returncode}): "
                + p.stderr.decode(errors="replace"))
            self.users[key] = {"login": login, "password": password, "name": name}
        self.png = os.path.join(self.dir, "harbour-photo.png")
        with open(self.png, "wb") as f:
            f.write(photo_png())
        self.srv = None
        self.browser = self.ws = None
        self.start()
        # Everyone signs in once, here: the scripts' browsers start with
        # these sessions (Argon2 is slow by design, and slower still under
        # ASan), except where signing in through the form is the point.
        self.sessions = os.path.join(self.dir, "sessions")
        os.mkdir(self.sessions)
        self.cookies = {}
        for key, u in self.users.items():
            self.cookies[key] = self.sign_in(u["login"], u["password"])
            state = {"cookies": [{
                "name": "liveline_session", "value": self.cookies[key][0],
                "domain": urllib.parse.urlsplit(self.srv.base).hostname, "path": "/",
                "expires": -1, "httpOnly": True, "secure": False, "sameSite": "Strict"}],
                "origins": []}
            with open(os.path.join(self.sessions, key + ".json"), "w") as f:
                json.dump(state, f)

    def start(self):
        self.srv = Server(self.binary, self.db, WORKERS)

    def env(self, slug):
        return {**os.environ, "LIVELINE_BIN": self.binary, "LIVELINE_DB": self.db,
                "LIVELINE_SLUG": slug, "LIVELINE_USERS": json.dumps(self.users),
                "LIVELINE_PNG": self.png, "LIVELINE_SESSIONS": self.sessions}

    def browser_ws(self):
        """The endpoint of the file's one Chromium (newsroom_browser.mjs),
        started on first use; None if it would not start (each scenario then
        starts its own)."""
        if self.browser and self.browser.poll() is None:
            return self.ws
        self.browser = subprocess.Popen(
            ["node", os.path.join(HERE, "browser", "newsroom_browser.mjs"), self.srv.base],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, env=self.env("-"))
        line = self.browser.stdout.readline().decode()
        self.ws = line[4:].strip() if line.startswith("ws: ") else None
        return self.ws

    def stop_browser(self):
        if self.browser:
            b, self.browser = self.browser, None
            b.stdin.close()
            try:
                b.wait(timeout=15)
            except subprocess.TimeoutExpired:
                b.kill()
                b.wait()
            b.stdout.close()

    def sign_in(self, login, password):
        """POST /newsroom/signin; returns (session cookie, CSRF token)."""
        signin_cookie, token = signin_form_token(self.srv.base)
        form = urllib.parse.urlencode({"login": login, "password": password,
                                       "signin_token": token})
        status, hdrs, body = http_call(
            self.srv.base, "POST", "/newsroom/signin", form,
            {"Content-Type": "application/x-www-form-urlencoded",
             "Cookie": "liveline_signin=" + signin_cookie})
        m = re.search(r"liveline_session=([^;]+)", hdrs.get("set-cookie", ""))
        assert status == 303 and m, (f"{login} could not sign in: {status} "
                                     + body.decode(errors="replace")[:2000])
        cookie = m.group(1)
        status, _, body = http_call(self.srv.base, "GET", "/newsroom",
                                    headers={"Cookie": "liveline_session=" + cookie})
        m = re.search(r'<meta name="csrf-token" content="([^"]+)"', body.decode())
        assert status == 200 and m, (status, body[:2000])
        return cookie, m.group(1)

    def api(self, role, method, path, doc):
        """A JSON API call as `role` (session cookie and CSRF token)."""
        cookie, csrf = self.cookies[role]
        status, _, body = http_call(self.srv.base, method, "/api/v1" + path,
                                    json.dumps(doc).encode(),
                                    {"Content-Type": "application/json",
                                     "Cookie": "liveline_session=" + cookie,
                                     "X-CSRF-Token": csrf})
        return status, body.decode(errors="replace")

    def live_page(self, slug, title, zone="UTC"):
        """Creates live page SLUG (as the admin, through the API), coverage
        started."""
        status, body = self.api("admin", "POST", "/pages", {
            "slug": slug, "title": title, "zone": zone,
            "description": f"Test coverage: {title}."})
        assert status == 201, f"creating page {slug}: {status} {body}"
        status, body = self.api("admin", "POST", f"/pages/{slug}/publish", {})
        assert status == 200, f"publishing page {slug}: {status} {body}"
        status, body = self.api("admin", "POST", f"/pages/{slug}/status", {"status": "live"})
        assert status == 200, f"starting page {slug}: {status} {body}"

    def sanitizer_report(self):
        log = self.srv.log()
        return log if any(m in log for m in SANITIZER_MARKS) else None

    def stop(self):
        """Stops the server (Server.stop fails on a sanitizer report); returns
        its exit status."""
        srv, self.srv = self.srv, None
        return srv.stop() if srv else 0

    def close(self):
        try:
            self.stop_browser()
            self.stop()
        finally:
            try:
                if self.db:
                    database_drop(self.db)
            finally:
                shutil.rmtree(self.dir, ignore_errors=True)


_newsroom = None


def _close_newsroom():
    global _newsroom
    if _newsroom:
        nr, _newsroom = _newsroom, None
        nr.close()


atexit.register(_close_newsroom)


def newsroom(env):
    """The shared server, started on first use. A server that died in an
    earlier scenario is started again (on the same database), so that one
    crash fails one test, not every one after it."""
    global _newsroom
    if _newsroom and (_newsroom.binary, _newsroom.backend) != (env.binary, env.backend):
        _close_newsroom()
    if _newsroom is None:
        _newsroom = Newsroom(env.binary, env.backend)
    elif _newsroom.srv is None or _newsroom.srv.proc.poll() is not None:
        if _newsroom.srv:
            try:
                _newsroom.stop()
            except AssertionError:
                pass  # reported by the scenario that crashed it
        _newsroom.start()
    return _newsroom


def scenario(env, script, slug, title=None):
    """Runs tests/e2e/browser/SCRIPT against the shared server, on live page
    SLUG: made here when `title` is given (in UTC, coverage started), else by
    the script. Prints the script's "time:" and "note:" lines."""
    if not shutil.which("node"):
        raise missing("node is not installed")
    for package in ("playwright-core", "eventsource"):
        if not os.path.isdir(os.path.join(HERE, "node_modules", package)):
            raise missing("tests/e2e/node_modules is missing (cd tests/e2e && npm ci)")
    if not os.access(CHROMIUM, os.X_OK):
        raise missing(CHROMIUM + " is not installed")
    nr = newsroom(env)
    if title:
        nr.live_page(slug, title)
    run_env = nr.env(slug)
    ws = nr.browser_ws()
    if ws:
        run_env["LIVELINE_BROWSER_WS"] = ws
    try:
        p = subprocess.run(
            ["node", os.path.join(HERE, "browser", script), nr.srv.base],
            cwd=ROOT, capture_output=True, timeout=90, env=run_env)
        out = (p.stdout + p.stderr).decode(errors="replace")
        code = p.returncode
    except subprocess.TimeoutExpired as e:
        out = ((e.stdout or b"") + (e.stderr or b"")).decode(errors="replace")
        code = "timeout (90 s)"
    for line in out.splitlines():
        if line.startswith(("time:", "note:")):
            print("        " + line)
    died = nr.srv.proc.poll() is not None
    report = nr.sanitizer_report()
    assert code == 0 and not died and not report, (
        f"{script} failed ({code}{', the server died' if died else ''}):\n{out}\n"
        f"--- server log:\n{nr.srv.log()}")


@test
def newsroom_publish_post_with_photo_reaches_reader(env):
    scenario(env, "newsroom_a_publish_photo.mjs", "harbour-fire")


@test
def newsroom_photo_without_alt_text_is_not_published(env):
    scenario(env, "newsroom_b_alt_required.mjs", "nr-alt-text", "Alt text required")


@test
def newsroom_edit_with_correction_note_and_history(env):
    scenario(env, "newsroom_c_edit_correction.mjs", "nr-correction", "Council meeting")


@test
def newsroom_conflicting_edits_keep_both_versions(env):
    scenario(env, "newsroom_d_conflict.mjs", "nr-conflict", "Traffic and travel")


@test
def newsroom_pin_and_delete_from_the_desk(env):
    scenario(env, "newsroom_e_pin_delete.mjs", "nr-pin-delete", "Election night")


@test
def newsroom_scheduled_post_appears_on_time(env):
    scenario(env, "newsroom_f_schedule.mjs", "nr-schedule", "New Year celebrations")


@test
def newsroom_contributor_drafts_editor_publishes(env):
    scenario(env, "newsroom_g_contributor.mjs", "nr-contributor", "Rail strike")


@test
def newsroom_desk_list_updates_live(env):
    scenario(env, "newsroom_h_desk_live.mjs", "nr-desk-live", "Storm watch")


@test
def newsroom_injected_script_stays_inert(env):
    scenario(env, "newsroom_i_injection.mjs", "nr-injection", "Injection attempts")


@test
def newsroom_usable_on_a_phone(env):
    scenario(env, "newsroom_j_phone.mjs", "nr-phone",
             "Storm surge: a very long live page title that wraps over several lines on a phone")


@test
def newsroom_server_stops_cleanly(env):
    """Last: stops the shared server; a sanitizer report (leaks show only at
    exit) or a bad exit status fails here."""
    global _newsroom
    if _newsroom is None:
        raise Skip("no newsroom scenario ran")  # each said why (a failure under CI=true)
    nr, _newsroom = _newsroom, None
    try:
        status = nr.stop()
        assert status == 0, f"the server exited with {status}"
    finally:
        nr.close()
