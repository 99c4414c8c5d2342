"""End-to-end tests of embedding a live page on other sites (issue 20, "Embed"):
/live/SLUG/embed (its content, its links, and that it is the only response
other sites may frame), the oEmbed endpoint /oembed (its fields, maxwidth and
maxheight, the addresses it refuses, a hostile title kept escaped), the
discovery links in the reader pages' <head>, the newsroom desk's copy-paste
code, and, in headless Chromium, the embed framed by a page of another origin
showing a post published after it loaded (tests/e2e/browser/reach_embed_*.mjs).
"""
import http.server
import json
import os
import shutil
import subprocess
import threading
import urllib.parse

from lib import (DEMO, ROOT, Browser, Server, add_staff, missing, parse_html, request,
                 test, wait_for)

HERE = os.path.dirname(os.path.abspath(__file__))
CHROMIUM = "/usr/bin/chromium"
SLUG = "demo"
HOSTILE = "Vote \"count\" <script>alert('x')</script> & <b>more</b>"


def start_demo(env, title="Harbour day", slug=SLUG):
    """The demo capture (24 posts) as a live page."""
    p = env.import_capture(DEMO, slug, 2026, title, status="live")
    assert p.returncode == 0, p.stderr


def get(srv, path, headers=None, method="GET"):
    return request(srv.base, method, path, None, headers or {})


def post_ids(html):
    doc = parse_html(html)
    updates = doc.find(id="updates")
    assert updates is not None, html[:2000]
    return [a.attrs["id"] for a in updates.find_all("article", cls="post")]


def frameable(r):
    """True when other sites may frame the response: its CSP lets any
    ancestor in and there is no X-Frame-Options."""
    csp = r.header("content-security-policy") or ""
    return "frame-ancestors *" in csp and r.header("x-frame-options") is None


def refuses_framing(r):
    csp = r.header("content-security-policy") or ""
    return "frame-ancestors 'none'" in csp and r.header("x-frame-options") == "DENY"


def oembed(srv, url, **args):
    q = urllib.parse.urlencode({"url": url, **args})
    return get(srv, "/oembed?" + q)


# ---- the embed page ---------------------------------------------------------

@test
def reach_embed_page_content(env):
    start_demo(env)
    with env.server() as srv:
        r = get(srv, f"/live/{SLUG}/embed")
        assert r.status == 200, (r.status, r.body[:300])
        assert r.header("content-type").startswith("text/html"), r.headers
        doc = parse_html(r.text)
        # The newest 10 posts, newest first (the demo's ids follow its order;
        # its 24 posts are all on the live page).
        every = post_ids(get(srv, f"/live/{SLUG}").text)
        assert len(set(every)) == 24, every
        newest = sorted(every, key=lambda i: -int(i.split("-")[1]))[:10]
        ids = post_ids(r.text)
        assert ids == newest, (ids, newest)
        assert doc.find("h1").text().strip() == "Harbour day"
        assert doc.find("p", cls="status").text().strip() == "Live"
        # Not for search engines, and the full page is the canonical one.
        robots = doc.find("meta", name="robots")
        assert robots is not None and "noindex" in robots.attrs["content"], r.text[:1500]
        canon = doc.find("link", rel="canonical")
        assert canon.attrs["href"] == f"{srv.base}/live/{SLUG}", canon.attrs
        # Every link opens a new top-level window: the base target covers the
        # posts' links (and those the stream adds), our own links say it.
        base = doc.find("base")
        assert base is not None and base.attrs.get("target") == "_blank", r.text[:1500]
        assert "href" not in base.attrs, base.attrs
        full = [a for a in doc.find_all("a") if "Read the full coverage" in a.text()]
        assert len(full) == 1, [a.text() for a in doc.find_all("a")]
        assert full[0].attrs["href"] == f"{srv.base}/live/{SLUG}", full[0].attrs
        assert full[0].attrs.get("target") == "_blank", full[0].attrs
        assert "noopener" in full[0].attrs.get("rel", "").split(), full[0].attrs
        # What live.js needs to follow the stream on it.
        updates = doc.find(id="updates")
        assert updates.attrs["data-slug"] == SLUG
        assert updates.attrs["data-page"] == updates.attrs["data-pages"], updates.attrs
        assert int(updates.attrs["data-seq"]) > 0, updates.attrs
        assert any("live" in s.attrs.get("src", "") for s in doc.find_all("script")), r.text[:1500]
        # Unknown or malformed addresses are 404s, not frameable.
        for path in ("/live/nope/embed", f"/live/{SLUG}/embed/x", f"/live/{SLUG}/embeds"):
            e = get(srv, path)
            assert e.status == 404, (path, e.status)
            assert refuses_framing(e), (path, e.headers)


@test
def reach_embed_only_the_embed_is_frameable(env):
    start_demo(env)
    with env.server() as srv:
        r = get(srv, f"/live/{SLUG}/embed")
        assert r.status == 200
        assert frameable(r), r.headers
        # The rest of the reader's policy is kept.
        csp = r.header("content-security-policy")
        for part in ("default-src 'self'", "object-src 'none'", "base-uri 'none'"):
            assert part in csp, csp
        # The same from the cache: compressed, revalidated, HEAD.
        gz = get(srv, f"/live/{SLUG}/embed", {"Accept-Encoding": "gzip"})
        assert gz.header("content-encoding") == "gzip" and frameable(gz), gz.headers
        nm = get(srv, f"/live/{SLUG}/embed", {"If-None-Match": r.header("etag")})
        assert nm.status == 304 and frameable(nm), (nm.status, nm.headers)
        head = get(srv, f"/live/{SLUG}/embed", method="HEAD")
        assert head.status == 200 and frameable(head), head.headers
        # Every other response still refuses to be framed.
        live = get(srv, f"/live/{SLUG}")
        pid = post_ids(live.text)[0].split("-")[1]
        others = ["/", f"/live/{SLUG}", f"/live/{SLUG}?page=1", f"/live/{SLUG}/posts/{pid}",
                  f"/live/{SLUG}/feed.atom", f"/live/{SLUG}.txt", "/nowhere",
                  "/oembed?url=" + urllib.parse.quote(f"{srv.base}/live/{SLUG}"),
                  "/newsroom/signin"]
        for path in others:
            for headers in ({}, {"Accept-Encoding": "gzip"}):
                o = get(srv, path, headers)
                assert o.status in (200, 404), (path, o.status)
                assert not frameable(o), (path, o.headers)
                assert o.header("x-frame-options") == "DENY", (path, o.headers)
                assert "frame-ancestors 'none'" in o.header("content-security-policy"), \
                    (path, o.headers)


@test
def reach_embed_follows_changes(env):
    start_demo(env)
    with env.server() as srv:
        before = post_ids(get(srv, f"/live/{SLUG}/embed").text)
        p = env.cli.run("post", SLUG, "--title", "Embed sees this", stdin=b"New body.\n",
                        check=0)
        new_id = "post-" + p.stdout.decode().split()[-1]

        def shows_new():
            return post_ids(get(srv, f"/live/{SLUG}/embed").text)[0] == new_id
        assert wait_for(shows_new, timeout=20), (before, new_id)
        after = post_ids(get(srv, f"/live/{SLUG}/embed").text)
        assert len(after) == 10 and after[1:] == before[:9], (before, after)
        # Unpublished: gone from readers, the embed included.
        env.cli.run("page", "unpublish", SLUG, check=0)
        assert wait_for(lambda: get(srv, f"/live/{SLUG}/embed").status == 404, timeout=20)


@test
def reach_embed_hostile_title_inert(env):
    start_demo(env, title=HOSTILE)
    with env.server() as srv:
        r = get(srv, f"/live/{SLUG}/embed")
        assert r.status == 200
        assert "<script>alert" not in r.text and "<b>more" not in r.text, r.text[:2000]
        doc = parse_html(r.text)
        assert doc.find("h1").text().strip() == HOSTILE
        assert doc.find("title").text().startswith(HOSTILE)
        # Our one script, and nothing inline.
        scripts = doc.find_all("script")
        assert len(scripts) == 1 and scripts[0].attrs.get("src", "").startswith("/static/"), \
            [s.attrs for s in scripts]
        assert doc.find("b") is None


# ---- oEmbed -------------------------------------------------------------------

@test
def reach_embed_oembed_document(env):
    start_demo(env, title=HOSTILE)
    with env.server() as srv:
        page_url = f"{srv.base}/live/{SLUG}"
        r = oembed(srv, page_url)
        assert r.status == 200, (r.status, r.body[:300])
        assert r.header("content-type").startswith("application/json"), r.headers
        d = r.json()
        assert d["type"] == "rich" and d["version"] == "1.0", d
        assert d["title"] == HOSTILE, d
        assert d["provider_name"] == "Liveline", d
        assert d["provider_url"] == srv.base + "/", d
        assert (d["width"], d["height"]) == (480, 640), d
        # The html: one iframe of the embed, its title attribute escaped.
        assert "<script" not in d["html"] and "<b>" not in d["html"], d["html"]
        frame = parse_html(d["html"]).find("iframe")
        assert frame is not None, d["html"]
        assert frame.attrs["src"] == page_url + "/embed", frame.attrs
        assert frame.attrs["title"].startswith(HOSTILE), frame.attrs
        assert (frame.attrs["width"], frame.attrs["height"]) == ("480", "640"), frame.attrs
        assert len(parse_html(d["html"]).find_all()) == 1, d["html"]
        # maxwidth and maxheight lower the size; larger ones change nothing.
        d = oembed(srv, page_url, maxwidth="300", maxheight="200").json()
        assert (d["width"], d["height"]) == (300, 200), d
        frame = parse_html(d["html"]).find("iframe")
        assert (frame.attrs["width"], frame.attrs["height"]) == ("300", "200"), frame.attrs
        d = oembed(srv, page_url, maxwidth="5000", maxheight="9000", format="json").json()
        assert (d["width"], d["height"]) == (480, 640), d
        # A permalink, or the live page with a query or an anchor, is the page.
        live = get(srv, f"/live/{SLUG}")
        pid = post_ids(live.text)[0].split("-")[1]
        for url in (f"{page_url}/posts/{pid}", page_url + "?page=1", page_url + "#post-3",
                    page_url + "/embed"):
            o = oembed(srv, url)
            assert o.status == 200, (url, o.status, o.body[:300])
            assert parse_html(o.json()["html"]).find("iframe").attrs["src"] == \
                page_url + "/embed", (url, o.json())


@test
def reach_embed_oembed_refusals(env):
    start_demo(env)
    with env.server() as srv:
        page_url = f"{srv.base}/live/{SLUG}"
        host, port = srv.base.split("//")[1].split(":")
        not_ours = [
            f"http://evil.example/live/{SLUG}",                # another host
            f"http://localhost:{port}/live/{SLUG}",            # another name for us
            f"https://{host}:{port}/live/{SLUG}",              # another scheme
            f"{srv.base}.evil.example/live/{SLUG}",            # our base as a prefix
            f"{srv.base}/", f"{srv.base}/live/", f"{srv.base}/newsroom/{SLUG}",
            f"{page_url}/feed.atom", f"{page_url}/events", f"{page_url}.txt",
            f"{page_url}/posts/abc", f"{page_url}/../x", "/live/" + SLUG,
            f"{srv.base}/live/nope",                          # no such page
            f"{page_url}/posts/999999",                        # no such post
            f"{srv.base}/live/{'a' * 2000}",
        ]
        for url in not_ours:
            r = oembed(srv, url)
            assert r.status == 404, (url, r.status, r.body[:200])
        for args in ({"format": "xml"}, {"format": "yaml"}):
            r = oembed(srv, page_url, **args)
            assert r.status == 501, (args, r.status)
        for args in ({"maxwidth": "0"}, {"maxwidth": "-3"}, {"maxheight": "abc"},
                     {"maxwidth": "12px"}):
            r = oembed(srv, page_url, **args)
            assert r.status == 400, (args, r.status)
        assert get(srv, "/oembed").status == 400
        assert get(srv, "/oembed?url=").status == 400
        # An unpublished page has no oEmbed answer either.
        env.cli.run("page", "unpublish", SLUG, check=0)
        assert oembed(srv, page_url).status == 404


@test
def reach_embed_oembed_public_base_url(env):
    start_demo(env)
    base = "https://news.example/coverage"
    with Server(env.binary, env.db, 1, "--public-base-url", base) as srv:
        r = oembed(srv, f"{base}/live/{SLUG}")
        assert r.status == 200, (r.status, r.body[:300])
        d = r.json()
        assert d["provider_url"] == base + "/", d
        assert parse_html(d["html"]).find("iframe").attrs["src"] == \
            f"{base}/live/{SLUG}/embed", d
        # The address it is reached at is not the public one: not ours.
        assert oembed(srv, f"{srv.base}/live/{SLUG}").status == 404
        doc = parse_html(get(srv, f"/live/{SLUG}/embed").text)
        assert doc.find("link", rel="canonical").attrs["href"] == f"{base}/live/{SLUG}"


# ---- discovery ----------------------------------------------------------------

def discovery(html):
    doc = parse_html(html)
    return [link for link in doc.find_all("link")
            if link.attrs.get("type") == "application/json+oembed"]


@test
def reach_embed_discovery_links(env):
    start_demo(env, title=HOSTILE)
    with env.server() as srv:
        live = get(srv, f"/live/{SLUG}")
        pid = post_ids(live.text)[0].split("-")[1]
        pages = {f"/live/{SLUG}": HOSTILE, f"/live/{SLUG}?page=1": HOSTILE}
        permalink = get(srv, f"/live/{SLUG}/posts/{pid}")
        pages[f"/live/{SLUG}/posts/{pid}"] = parse_html(permalink.text).find("h1").text().strip()
        for path, title in pages.items():
            r = get(srv, path)
            links = discovery(r.text)
            assert len(links) == 1, (path, links)
            link = links[0]
            assert link.attrs["rel"] == "alternate", link.attrs
            assert link.attrs["title"] == title, (path, link.attrs)
            href = link.attrs["href"]
            assert href.startswith(srv.base + "/oembed?url="), href
            # The link leads to an answer for this very page.
            url = urllib.parse.parse_qs(urllib.parse.urlsplit(href).query)["url"][0]
            assert url.startswith(f"{srv.base}/live/{SLUG}"), url
            o = get(srv, href[len(srv.base):])
            assert o.status == 200, (href, o.status)
            assert o.json()["title"] == HOSTILE
        # Not on the index or an error page: nothing there to embed.
        for path in ("/", "/nowhere"):
            assert discovery(get(srv, path).text) == [], path


# ---- the newsroom's copy-paste code --------------------------------------------

@test
def reach_embed_newsroom_snippet(env):
    start_demo(env, title=HOSTILE)
    add_staff(env)
    with env.server() as srv:
        b = Browser(srv.base)
        assert b.signin("eve").status == 303
        desk = b.get(f"/newsroom/{SLUG}")
        assert desk.status == 200, desk.status
        doc = parse_html(desk.text)
        field = doc.find("textarea", id="embed-code")
        assert field is not None, desk.text[:3000]
        assert "readonly" in field.attrs, field.attrs
        label = doc.find("label", **{"for": "embed-code"})
        assert label is not None and label.text().strip(), "the field has a label"
        # The text is the oEmbed answer's html: one home for the snippet.
        code = field.text()
        d = oembed(srv, f"{srv.base}/live/{SLUG}").json()
        assert code == d["html"], (code, d["html"])
        assert "<script" not in desk.text.split('id="embed-code"')[1].split("</textarea>")[0]
        frame = parse_html(code).find("iframe")
        assert frame.attrs["src"] == f"{srv.base}/live/{SLUG}/embed", frame.attrs
        assert frame.attrs["title"].startswith(HOSTILE), frame.attrs
        copy = doc.find("button", **{"data-copy": "embed-code"})
        assert copy is not None and "hidden" in copy.attrs, "a copy button for the script"


# ---- in a browser: framed by another origin --------------------------------------

class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@test
def reach_embed_browser_framed_live(env):
    if not shutil.which("node"):
        raise missing("node is not installed")
    if not os.path.isdir(os.path.join(HERE, "node_modules", "playwright-core")):
        raise missing("tests/e2e/node_modules is missing (cd tests/e2e && npm ci)")
    if not os.access(CHROMIUM, os.X_OK):
        raise missing(CHROMIUM + " is not installed")
    start_demo(env)
    with env.server() as srv:
        # Another origin (another port) serves the host page that frames us.
        host_dir = os.path.join(env.dir, "host")
        os.mkdir(host_dir)
        code = oembed(srv, f"{srv.base}/live/{SLUG}").json()["html"]
        with open(os.path.join(host_dir, "index.html"), "w") as f:
            f.write("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                    f"<title>A news site</title></head><body><h1>Elsewhere</h1>{code}"
                    "<iframe id=\"live\" src=\"" + f"{srv.base}/live/{SLUG}" +
                    "\" title=\"the live page itself\"></iframe></body></html>")
        handler = lambda *a, **kw: _Quiet(*a, directory=host_dir, **kw)  # noqa: E731
        other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=other.serve_forever, daemon=True)
        thread.start()
        try:
            p = subprocess.run(
                ["node", os.path.join(HERE, "browser", "reach_embed_frame.mjs"), srv.base,
                 f"http://127.0.0.1:{other.server_address[1]}/index.html"],
                cwd=ROOT, capture_output=True, timeout=120,
                env={**os.environ, "LIVELINE_BIN": env.binary, "LIVELINE_DB": env.db,
                     "LIVELINE_SLUG": SLUG})
        finally:
            other.shutdown()
            other.server_close()
        out = (p.stdout + p.stderr).decode(errors="replace")
        assert p.returncode == 0, f"reach_embed_frame.mjs failed:\n{out}\n--- log:\n{srv.log()}"
