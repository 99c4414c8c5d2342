"""What readers get beside the posts (issue 20, "What readers get"): the list
of key events at the top of every page of a live page, linking to each post
wherever its page is, right after every change (the newest page's list
changes when a key event on an old page does) and carried by the stream; a
share link on every post; the summary's featured video or image, and a
compact line for an imported capture that kept no file. The browser side
(live updates of the list, the share control) is browser/reach_audience_*.mjs,
run from here as test_browser.py runs its scripts."""
import json
import os
import re
import shutil
import subprocess

from lib import (DEMO, ROOT, Api, Server, add_staff, missing, parse_html, request, test,
                 wait_for)

HERE = os.path.dirname(os.path.abspath(__file__))
HOSTILE = '<script>alert(1)</script> & "q" <img src=x onerror=alert(1)>'


def capture(n):
    """A capture of n posts, newest first, one a minute from 08:00 GMT."""
    out = []
    for i in range(n):
        t = n - 1 - i
        out.append(f"  {i + 1}. Post {n - i} of {n}published at "
                   f"{8 + t // 60:02d}:{t % 60:02d} Greenwich Mean Time 17 February\n\n"
                   f"    The words of post {n - i}.")
    return "\n\n".join(out)


def import_posts(env, slug, n):
    path = os.path.join(env.dir, f"{slug}.txt")
    with open(path, "w", encoding="utf-8") as f:
        f.write(capture(n))
    env.import_capture(path, slug, 2025, f"{n} posts", status="live")


def page(base, path):
    r = request(base, "GET", path)
    assert r.status == 200, (path, r.status)
    return r.text


def key_events(html):
    """[(href, title, <time> datetime)] of the page's key events list, or None
    when it has none."""
    doc = parse_html(html)
    nav = doc.find("nav", id="key-events")
    if nav is None:
        return None
    assert nav.attrs.get("aria-labelledby") == "key-events-h", nav.attrs
    assert nav.find("h2", id="key-events-h").text().strip() == "Key events"
    out = []
    for li in nav.find("ul").find_all("li"):
        a = li.find("a")
        t = a.find("time")
        out.append((a.attrs["href"], a.find("span", cls="key-event-title").text(), t.attrs["datetime"]))
    return out


def post_id_by_title(env, slug, title):
    return int(env.sql_one(f"SELECT p.id FROM posts p JOIN pages g ON g.id = p.page_id "
                           f"WHERE g.slug = '{slug}' AND p.title = '{title}'"))


@test
def key_events_listed_with_links_to_their_pages(env):
    # 65 posts: pages 1 and 2 hold 20 each, the live page the newest 25.
    import_posts(env, "keys", 65)
    old = post_id_by_title(env, "keys", "Post 3 of 65")      # page 1
    middle = post_id_by_title(env, "keys", "Post 30 of 65")  # page 2
    env.cli.run("edit", "keys", str(old), "--key-event", check=0)
    env.cli.run("edit", "keys", str(middle), "--key-event", check=0)
    env.cli.run("post", "keys", "--title", "An ordinary post", stdin=b"Words.\n", check=0)
    out = env.cli.run("post", "keys", "--title", HOSTILE, "--key-event",
                      stdin=b"Words.\n", check=0).stdout.decode()
    newest = int(re.search(r"\d+", out).group(0))
    with env.server() as srv:
        live = page(srv.base, "/live/keys")
        got = key_events(live)
        # Newest first; the hostile title is text, never markup.
        assert [title for _, title, _ in got] == [HOSTILE, "Post 30 of 65", "Post 3 of 65"], got
        assert "<script>alert(1)" not in live and "<img src=x" not in live
        assert got[0][0] == f"/live/keys#post-{newest}", got
        assert got[1][0] == f"/live/keys?page=2#post-{middle}", got
        assert got[2][0] == f"/live/keys?page=1#post-{old}", got
        assert got[2][2] == "2025-02-17T08:02:00Z", got
        # Every link leads to a page that holds the post it names.
        for href, title, _ in got:
            path, frag = href.split("#")
            doc = parse_html(page(srv.base, path))
            art = doc.find("article", id=frag)
            assert art is not None, (href, "no such post there")
            assert art.find("h3").text().strip() == title, (href, art.find("h3").text())
        # The list sits above the updates, after the page's heading; older
        # pages show the same list; a permalink has none.
        assert live.index('id="key-events"') < live.index('id="updates"')
        assert key_events(page(srv.base, "/live/keys?page=1")) == got
        assert key_events(page(srv.base, "/live/keys?page=2")) == got
        assert key_events(page(srv.base, f"/live/keys/posts/{old}")) is None


@test
def key_events_list_holds_the_newest_twenty(env):
    import_posts(env, "keys", 25)
    for i in range(1, 26):
        env.cli.run("edit", "keys", str(post_id_by_title(env, "keys", f"Post {i} of 25")),
                    "--key-event", check=0)
    with env.server() as srv:
        got = key_events(page(srv.base, "/live/keys"))
        assert [t for _, t, _ in got] == [f"Post {i} of 25" for i in range(25, 5, -1)], got


@test
def key_events_follow_edits_and_deletions_on_every_page(env):
    import_posts(env, "keys", 45)
    old = post_id_by_title(env, "keys", "Post 3 of 45")
    plain = post_id_by_title(env, "keys", "Post 10 of 45")
    env.cli.run("edit", "keys", str(old), "--key-event", check=0)
    with env.server() as srv:
        # Loaded first, so that each page is in the workers' caches.
        for path in ("/live/keys", "/live/keys?page=1", "/live/keys?page=2"):
            for _ in range(4):
                assert [t for _, t, _ in key_events(page(srv.base, path))] == ["Post 3 of 45"]

        def titles_everywhere(want):
            return all(
                [t for _, t, _ in (key_events(page(srv.base, path)) or [])] == want
                for path in ("/live/keys", "/live/keys?page=1", "/live/keys?page=2")
                for _ in range(4))

        # A post on page 1 marked: the newest page (and every other) lists it.
        env.cli.run("edit", "keys", str(plain), "--key-event", check=0)
        assert wait_for(lambda: titles_everywhere(["Post 10 of 45", "Post 3 of 45"]), 10), \
            key_events(page(srv.base, "/live/keys"))
        # Retitled: the new title.
        env.cli.run("edit", "keys", str(plain), "--title", "Post ten, retitled", check=0)
        assert wait_for(lambda: titles_everywhere(["Post ten, retitled", "Post 3 of 45"]), 10)
        # Unmarked, and the other deleted: no list at all.
        env.cli.run("edit", "keys", str(plain), "--no-key-event", check=0)
        env.cli.run("delete", "keys", str(old), check=0)
        assert wait_for(lambda: titles_everywhere([]), 10), key_events(page(srv.base, "/live/keys"))
        assert 'id="key-events"' not in page(srv.base, "/live/keys")


@test
def stream_events_carry_the_key_events_list(env):
    import_posts(env, "keys", 5)
    seq0 = int(env.sql_one("SELECT last_seq FROM pages WHERE slug = 'keys'"))
    with env.server() as srv:
        def changes(since, n):
            doc = request(srv.base, "GET", f"/live/keys/changes?since={since}").json()
            return doc["changes"] if len(doc["changes"]) >= n else None

        env.cli.run("post", "keys", "--title", "Plain", stdin=b"Words.\n", check=0)
        env.cli.run("post", "keys", "--title", "Ribbon cut", "--key-event", stdin=b"Words.\n",
                    check=0)
        ribbon = post_id_by_title(env, "keys", "Ribbon cut")
        ch = wait_for(lambda: changes(seq0, 2), 10)
        assert [c["kind"] for c in ch] == ["post", "post"], ch
        # A post that is not a key event leaves the list alone; a key event
        # brings the list with it, the same bytes as the page shows.
        assert "key_events_html" not in ch[0], ch[0]
        lst = key_events(ch[1]["key_events_html"])
        assert [(h, t) for h, t, _ in lst] == [(f"/live/keys#post-{ribbon}", "Ribbon cut")], lst
        assert ch[1]["key_events_html"] in request(srv.base, "GET", "/live/keys").text
        # The edit that unmarks it, and a deletion: the list as it is then.
        plain = post_id_by_title(env, "keys", "Plain")
        env.cli.run("edit", "keys", str(plain), "--key-event", check=0)
        env.cli.run("edit", "keys", str(ribbon), "--no-key-event", check=0)
        ch = wait_for(lambda: changes(seq0 + 2, 2), 10)
        assert [c["kind"] for c in ch] == ["update", "update"], ch
        assert [t for _, t, _ in key_events(ch[0]["key_events_html"])] == ["Ribbon cut", "Plain"]
        assert [t for _, t, _ in key_events(ch[1]["key_events_html"])] == ["Plain"]
        env.cli.run("delete", "keys", str(plain), check=0)
        ch = wait_for(lambda: changes(seq0 + 4, 1), 10)
        assert [c["kind"] for c in ch] == ["delete"], ch
        assert ch[0]["key_events_html"] == "", ch


@test
def every_post_has_a_share_link_to_its_permalink(env):
    env.import_capture(DEMO, "demo", 2025, "Demo", status="live")
    with env.server() as srv:
        for path in ("/live/demo", "/live/demo?page=1"):
            doc = parse_html(page(srv.base, path))
            arts = [a for a in doc.find_all("article") if a.attrs.get("id", "").startswith("post-")]
            assert arts, path
            for art in arts:
                pid = art.attrs["id"].split("-")[1]
                links = [a for a in art.find_all("a", cls="share-link")]
                assert len(links) == 1, (path, pid)
                assert links[0].attrs["href"] == f"/live/demo/posts/{pid}", links[0].attrs
                assert links[0].text().strip() == "Link to this post"
        r = request(srv.base, "GET", f"/live/demo/posts/{pid}")
        assert r.status == 200 and f'href="/live/demo/posts/{pid}">Link to this post' in r.text


@test
def summary_media_shown_with_poster_credit_and_caption(env):
    tokens = add_staff(env)
    env.import_capture(DEMO, "demo", 2025, "Demo", status="live")
    with env.server() as srv:
        # The capture kept the caption, not the video: one compact line.
        doc = parse_html(page(srv.base, "/live/demo"))
        fig = doc.find("figure", cls="media")
        assert "media-absent" in fig.classes(), fig.attrs
        assert fig.find("video") is None and fig.find("img") is None
        assert fig.find(cls="img-missing") is None
        assert re.sub(r"\s+", " ", fig.text()).strip() == \
            "Video not available: Watch: The first cars cross the rebuilt Harbour Bridge"

        eve = Api(srv.base, tokens["eve"])
        poster = "/media/0123456789abcdef0123456789abcdef-960.jpg"
        eve.ok("PUT", "/pages/demo/summary", {"points": ["One"], "media": {
            "kind": "video", "url": "https://video.example/cars.mp4", "alt": "Cars " + HOSTILE,
            "caption": "Watch: the *first* cars", "poster": poster, "credit": HOSTILE}})
        got = eve.ok("GET", "/pages/demo")
        assert got["page"]["summary"]["media"]["poster"] == poster, got["page"]["summary"]
        assert got["page"]["summary"]["media"]["credit"] == HOSTILE

        def video():
            html = page(srv.base, "/live/demo")
            return html if "<video" in html else None
        html = wait_for(video, 10)
        assert html, "the video never showed"
        fig = parse_html(html).find("figure", cls="media")
        v = fig.find("video")
        assert v.attrs["src"] == "https://video.example/cars.mp4"
        assert v.attrs["poster"] == poster
        assert "controls" in v.attrs and v.attrs["aria-label"] == "Cars " + HOSTILE
        assert fig.find("span", cls="credit").text() == "Video source, " + HOSTILE
        assert "Watch: the first cars" in fig.find("figcaption").text()
        assert "<script>alert(1)" not in html and "<img src=x" not in html

        # A poster needs a video and an address we allow.
        r = eve.put("/pages/demo/summary", {"points": ["One"], "media": {
            "kind": "image", "url": "/media/a.jpg", "alt": "A", "poster": poster}})
        assert r.status == 422, (r.status, r.body)
        r = eve.put("/pages/demo/summary", {"points": ["One"], "media": {
            "kind": "video", "url": "/media/a.mp4", "poster": "javascript:alert(1)"}})
        assert r.status == 422, (r.status, r.body)

        eve.ok("PUT", "/pages/demo/summary", {"points": ["One"], "media": {
            "kind": "image", "url": "https://img.example/bridge.jpg", "alt": "The bridge",
            "caption": "At dawn", "credit": "Kelmouth Council"}})

        def image():
            html = page(srv.base, "/live/demo")
            return html if "img.example/bridge.jpg" in html else None
        html = wait_for(image, 10)
        assert html, "the image never showed"
        fig = parse_html(html).find("figure", cls="media")
        img = fig.find("img")
        assert img.attrs["alt"] == "The bridge", img.attrs
        assert fig.find("span", cls="credit").text() == "Image source, Kelmouth Council"
        assert fig.find("video") is None


def run_node(env, script):
    if not shutil.which("node"):
        raise missing("node is not installed")
    if not os.path.isdir(os.path.join(HERE, "node_modules", "playwright-core")):
        raise missing("tests/e2e/node_modules is missing (cd tests/e2e && npm ci)")
    if not os.access("/usr/bin/chromium", os.X_OK):
        raise missing("/usr/bin/chromium is not installed")
    env.import_capture(DEMO, "demo-live", 2026, "Demo: live", status="live")
    for i in range(16):  # 40 posts: the oldest 20 are an older page
        env.cli.run("post", "demo-live", "--title", f"Later {i}", stdin=b"More.", check=0)
    with Server(env.binary, env.db, 2) as srv:
        p = subprocess.run(
            ["node", os.path.join(HERE, "browser", script), srv.base],
            cwd=ROOT, capture_output=True, timeout=120,
            env={**os.environ, "LIVELINE_BIN": env.binary, "LIVELINE_DB": env.db,
                 "LIVELINE_SLUG": "demo-live"})
        out = (p.stdout + p.stderr).decode(errors="replace")
        assert p.returncode == 0, f"{script} failed:\n{out}\n--- server log:\n{srv.log()}"


@test
def browser_key_events_update_live(env):
    run_node(env, "reach_audience_keys.mjs")


@test
def browser_share_copies_the_link(env):
    run_node(env, "reach_audience_share.mjs")
