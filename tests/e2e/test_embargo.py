"""End-to-end tests of a page's unpublished state (an embargo): a page made in
the newsroom or through the API is seen only by the newsroom until an editor
publishes it; every reader address of it is a 404 until then, and again after
it is unpublished; publishing reaches every worker through the change log,
without a restart, and no cached response or open stream lets its content out
before (or after) that.
"""
import json

from lib import (DEMO, Api, Browser, add_staff, api_error, request, test,
                 wait_for)
from test_stream import Sse, raw_stream, read_to_eof

SLUG = "embargoed-budget"
SECRET = "Chancellor cuts fuel duty by 5p"  # what must not reach readers early
OTHER = "demo"


def reader_paths(post_id):
    """Every reader address of the page (media of its posts aside)."""
    base = f"/live/{SLUG}"
    return [base, base + "?page=1", f"{base}/posts/{post_id}", base + ".txt",
            base + ".txt?follow=1", base + "/events", base + "/events?since=0",
            base + "/changes", base + "/changes?since=0", base + "/feed.atom",
            base + "/feed.rss", base + "/feed.json"]


def statuses(srv, paths, tries=4):
    """{path: set of statuses} over several connections, so that both workers
    (which the kernel picks per connection) answer each path. Streams are read
    for their status line only."""
    out = {}
    for path in paths:
        got = set()
        for _ in range(tries):
            if path.endswith("follow=1") or "/events" in path:
                s = raw_stream(srv.base, path)
                head = b""
                while b"\r\n" not in head:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    head += chunk
                s.close()
                got.add(int(head.split()[1]))
            else:
                r = request(srv.base, "GET", path)
                got.add(r.status)
                if r.status != 404:
                    got.add(SECRET in r.text and "secret")
        out[path] = got
    return out


def index_lists(srv, slug, tries=4):
    """Whether the index names `slug`, over several connections: {True, False}
    subsets."""
    return {f"/live/{slug}" in request(srv.base, "GET", "/").text for _ in range(tries)}


@test
def embargo_page_hidden_until_an_editor_publishes_it(env):
    tokens = add_staff(env)
    env.import_capture(DEMO, OTHER, 2026)
    with env.server() as srv:
        ada, eve, cal = (Api(srv.base, token=tokens[k]) for k in ("ada", "eve", "cal"))
        # Warm each worker's cached index before the page exists.
        assert index_lists(srv, OTHER) == {True}
        page = ada.ok("POST", "/pages", {"slug": SLUG, "title": "Budget (embargoed)",
                                         "zone": "Europe/London"}, 201)["page"]
        eve.ok("POST", f"/pages/{SLUG}/status", {"status": "live"})
        eve.ok("PUT", f"/pages/{SLUG}/summary", {"points": [SECRET]})
        post = eve.ok("POST", f"/pages/{SLUG}/posts", {"title": SECRET, "body": SECRET},
                      201)["post"]
        paths = reader_paths(post["id"])

        # Readers: nothing, on every worker, the cached index included.
        got = statuses(srv, paths)
        assert all(v == {404} for v in got.values()), got
        assert index_lists(srv, SLUG) == {False}
        assert SECRET not in request(srv.base, "GET", "/").text

        # The newsroom sees and works on it.
        assert page.get("published") is False, page
        assert ada.ok("GET", f"/pages/{SLUG}")["page"]["published"] is False
        assert [p["slug"] for p in cal.ok("GET", "/pages")["pages"]
                if not p["published"]] == [SLUG]
        assert cal.ok("GET", f"/pages/{SLUG}/posts")["posts"][0]["title"] == SECRET
        b = Browser(srv.base)
        assert b.signin("eve").status == 303
        desk = b.get(f"/newsroom/{SLUG}")
        assert desk.status == 200 and SECRET in desk.text
        assert "Not published" in desk.text and f"/newsroom/{SLUG}/publish" in desk.text
        # An unpublished page has no readers' stream for the desk to follow.
        assert "data-events" not in desk.text
        # What the desk says after publishing a post there: not that readers see it.
        embargoed = b.get(f"/newsroom/{SLUG}?notice=published")
        assert "readers see it once the page is published" in embargoed.text
        assert "Published: readers see it now." not in embargoed.text

        # A contributor may not publish it, by API or form.
        api_error(cal.post(f"/pages/{SLUG}/publish"), 403, "forbidden")
        c = Browser(srv.base)
        assert c.signin("cal").status == 303
        cdesk = c.get(f"/newsroom/{SLUG}")
        assert f"/newsroom/{SLUG}/publish" not in cdesk.text  # not offered
        r = c.post(f"/newsroom/{SLUG}/publish", {})
        assert r.status == 403, r.status
        assert all(v == {404} for v in statuses(srv, paths[:2]).values())

        # The editor publishes (the form): every worker serves it at once,
        # through the change log, without a restart.
        r = b.post(f"/newsroom/{SLUG}/publish", {})
        assert r.status == 303, (r.status, r.text[:300])
        assert wait_for(lambda: index_lists(srv, SLUG) == {True}, timeout=10)
        got = wait_for(lambda: (lambda g: g if all(v == {200, "secret"} or v == {200}
                                                   for v in g.values()) else None)(
            statuses(srv, paths)), timeout=10)
        assert got, statuses(srv, paths)
        for path in (f"/live/{SLUG}", f"/live/{SLUG}.txt", f"/live/{SLUG}/feed.atom"):
            assert SECRET in request(srv.base, "GET", path).text, path
        changes = json.loads(request(srv.base, "GET", f"/live/{SLUG}/changes?since=0").body)
        assert "publish" in [c["kind"] for c in changes["changes"]], changes
        desk = b.get(f"/newsroom/{SLUG}")
        assert "data-events" in desk.text and f"/newsroom/{SLUG}/unpublish" in desk.text
        assert eve.ok("POST", f"/pages/{SLUG}/publish")["page"]["published"] is True  # again

        # Readers following it when it is unpublished: an SSE stream is told to
        # reload and ends; a text stream ends; nothing published afterwards
        # reaches them.
        sse = Sse(srv.base, f"/live/{SLUG}/events")
        assert sse.resp.status == 200
        text = raw_stream(srv.base, f"/live/{SLUG}.txt?follow=1")
        buf = bytearray()
        while b"\r\n\r\n" not in buf:
            buf += text.recv(65536)
        assert b" 200 " in bytes(buf.split(b"\r\n")[0]) + b" "
        assert eve.ok("POST", f"/pages/{SLUG}/unpublish")["page"]["published"] is False
        ev = sse.next(timeout=10)
        assert ev and ev["event"] == "reload" and ev["id"] is None, ev
        assert sse.next(timeout=10) is None  # ended
        sse.close()
        later = "Second embargoed line"
        eve.ok("POST", f"/pages/{SLUG}/posts", {"title": later, "body": later}, 201)
        assert read_to_eof(text, buf), "the text stream stayed open"
        text.close()
        assert later.encode() not in buf

        got = wait_for(lambda: (lambda g: g if all(v == {404} for v in g.values()) else None)(
            statuses(srv, paths)), timeout=10)
        assert got, statuses(srv, paths)
        assert index_lists(srv, SLUG) == {False}
        assert SECRET not in request(srv.base, "GET", "/").text

        # Published again: the post made meanwhile is there too.
        eve.ok("POST", f"/pages/{SLUG}/publish")
        assert wait_for(lambda: later in request(srv.base, "GET", f"/live/{SLUG}").text,
                        timeout=10)
        audit = [a["action"] for a in ada.ok("GET", f"/audit?page={SLUG}")["audit"]]
        assert audit.count("page.publish") == 2 and audit.count("page.unpublish") == 1, audit


@test
def embargo_command_line(env):
    # import keeps making public pages; --unpublished makes an embargoed one.
    assert b"(unpublished)" not in env.import_capture(DEMO, OTHER, 2026).stdout
    r = env.cli.run("import", "--year", "2026", "--slug", SLUG, "--unpublished", DEMO, check=0)
    assert b"(unpublished)" in r.stdout, r.stdout
    assert env.sql_one(f"SELECT published FROM pages WHERE slug = '{SLUG}'") == "0"
    listed = {line.split("\t")[0]: line.split("\t")[2]
              for line in env.cli.run("list", check=0).stdout.decode().splitlines()}
    assert listed == {SLUG: "unpublished", OTHER: "published"}, listed
    assert env.sql_one(f"SELECT published FROM pages WHERE slug = '{OTHER}'") == "1"
    with env.server() as srv:
        assert request(srv.base, "GET", f"/live/{SLUG}").status == 404
        assert request(srv.base, "GET", f"/live/{OTHER}").status == 200
        assert env.cli.run("page", "publish", SLUG, check=0).stdout == \
            f"published /live/{SLUG}\n".encode()
        assert env.cli.run("page", "publish", SLUG, check=0).stdout == b"already published\n"
        assert wait_for(lambda: request(srv.base, "GET", f"/live/{SLUG}").status == 200,
                        timeout=10)
        assert wait_for(lambda: f"/live/{SLUG}" in request(srv.base, "GET", "/").text,
                        timeout=10)
        env.cli.run("page", "unpublish", SLUG, check=0)
        assert wait_for(lambda: request(srv.base, "GET", f"/live/{SLUG}").status == 404,
                        timeout=10)
    assert env.cli.run("page", "publish", "no-such-page", check=None).returncode == 1
    for bad in (["page"], ["page", "hide", SLUG], ["page", "publish"]):
        assert env.cli.run(*bad, check=None).returncode == 2, bad
    assert b"publish" in env.cli.run("page", "--help", check=0).stdout
    assert b"--unpublished" in env.cli.run("import", "--help", check=0).stdout
