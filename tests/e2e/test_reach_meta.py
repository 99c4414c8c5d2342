"""End-to-end tests of what the reader pages tell machines (issue 20, "What the
page tells machines"): the <head> of every reader page kind (canonical,
description, OpenGraph, Twitter card, feed links, icons, theme-color) read with
html.parser, the schema.org JSON-LD (LiveBlogPosting and its BlogPosting
updates, a permalink's BlogPosting) parsed as JSON after a publish, an edit, a
deletion and the end of coverage, hostile titles kept inert, and /robots.txt,
/sitemap.xml and /sitemap-news.xml read with xml.etree, with only published
pages in them. Every absolute URL starts with --public-base-url, never with
the Host the request named.
"""
import html.parser
import json
import xml.etree.ElementTree as ET

from lib import DEMO, Api, Server, add_staff, request, test, wait_for

BASE = "https://news.example"
SLUG = "harbour-vote"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
HOSTILE = "</script><script>alert(1)</script> \"quoted\" & 'single' <b>"
IMAGE = "https://img.example/harbour.jpg"
POST_IMAGE = "https://img.example/crowd.jpg"


class Head(html.parser.HTMLParser):
    """The tags of a document's <head>: metas by name or property, links by
    rel, and every <script> with its type and text."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.meta, self.links, self.scripts = {}, [], []
        self.in_head, self.script = False, None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "head":
            self.in_head = True
        elif tag == "script":
            self.script = [a.get("type"), a.get("src"), ""]
            self.scripts.append(self.script)
        elif self.in_head and tag == "meta" and ("name" in a or "property" in a):
            key = a.get("name") or a.get("property")
            assert key not in self.meta, ("twice", key)
            self.meta[key] = a.get("content")
        elif self.in_head and tag == "link":
            self.links.append(a)

    def handle_endtag(self, tag):
        if tag == "head":
            self.in_head = False
        elif tag == "script":
            self.script = None

    def handle_data(self, data):
        if self.script is not None:
            self.script[2] += data

    def link(self, rel, **attrs):
        found = [l for l in self.links if l.get("rel") == rel and
                 all(l.get(k) == v for k, v in attrs.items())]
        assert len(found) == 1, (rel, attrs, self.links)
        return found[0]

    def ld(self):
        """The one JSON-LD block, parsed."""
        blocks = [s for s in self.scripts if s[0] == "application/ld+json"]
        assert len(blocks) == 1, self.scripts
        return json.loads(blocks[0][2])


def head_of(srv, path, status=200):
    # A Host of the client's choosing must not reach any link.
    r = request(srv.base, "GET", path, headers={"Host": "evil.example"})
    assert r.status == status, (path, r.status, r.body[:300])
    assert "evil.example" not in r.text, path
    return Head(r.text), r.text


def settled(srv, path, pred):
    """The head of `path` once pred(head) holds on the worker asked: a change
    reaches each worker through the change log, within a second or so."""
    def get():
        h = head_of(srv, path)[0]
        return h if pred(h) else None
    h = wait_for(get, timeout=10)
    assert h, (path, head_of(srv, path)[1][:3000])
    return h


def setup(env):
    tokens = add_staff(env)
    srv = Server(env.binary, env.db, 2, "--public-base-url", BASE)
    return srv, Api(srv.base, token=tokens["ada"]), Api(srv.base, token=tokens["eve"])


def make_page(ada, eve, slug=SLUG, title="Harbour vote", description="", publish=True):
    body = {"slug": slug, "title": title, "zone": "Europe/London"}
    if description:
        body["description"] = description
    ada.ok("POST", "/pages", body, 201)
    eve.ok("POST", f"/pages/{slug}/status", {"status": "live"})
    if publish:
        eve.ok("POST", f"/pages/{slug}/publish")


def icons_served(srv, h):
    for rel, attrs, ctype in (("icon", {"type": "image/svg+xml"}, "image/svg+xml"),
                              ("icon", {"sizes": "32x32"}, "image/png"),
                              ("apple-touch-icon", {}, "image/png")):
        href = h.link(rel, **attrs)["href"]
        assert href.startswith("/static/"), href
        r = request(srv.base, "GET", href)
        assert r.status == 200 and r.header("content-type") == ctype, (href, r.status)
        assert "immutable" in r.header("cache-control")
        if ctype == "image/png":
            assert r.body.startswith(b"\x89PNG\r\n\x1a\n")
            size = int.from_bytes(r.body[16:20], "big"), int.from_bytes(r.body[20:24], "big")
            assert size == ((180, 180) if rel == "apple-touch-icon" else (32, 32)), size
        else:
            ET.fromstring(r.body)  # the SVG is XML
    r = request(srv.base, "GET", "/favicon.ico")
    assert r.status == 200 and r.body.startswith(b"\x89PNG"), r.status


@test
def meta_head_and_json_ld_of_a_live_page_follow_every_change(env):
    srv, ada, eve = setup(env)
    with srv:
        make_page(ada, eve, description="The council votes on the harbour plan tonight. " * 8)
        eve.ok("PUT", f"/pages/{SLUG}/summary",
               {"points": ["Council votes"], "media": {"kind": "image", "url": IMAGE,
                                                       "alt": "The harbour at dawn"}})
        first = eve.ok("POST", f"/pages/{SLUG}/posts", {
            "title": "Debate opens", "body": "The *debate* has [opened](https://x.example/).",
            "bylines": [{"name": "Ann Reporter", "role": "Local democracy"}]}, 201)["post"]
        second = eve.ok("POST", f"/pages/{SLUG}/posts", {
            "title": "Crowd gathers",
            "body": f'Hundreds outside.\n\n![A crowd]({POST_IMAGE} "The square")\n'
                    "Image source: Agency"}, 201)["post"]

        h, _ = head_of(srv, f"/live/{SLUG}")
        url = f"{BASE}/live/{SLUG}"
        assert h.link("canonical")["href"] == url
        desc = h.meta["description"]
        assert desc.startswith("The council votes on the harbour plan tonight. The council")
        assert len(desc) <= 161 and desc.endswith("\u2026"), desc
        assert desc[:-1] in ("The council votes on the harbour plan tonight. " * 8), desc
        assert h.meta["og:type"] == "article"
        assert h.meta["og:title"] == "Harbour vote" == h.meta["twitter:title"]
        assert h.meta["og:description"] == desc == h.meta["twitter:description"]
        assert h.meta["og:url"] == url
        assert h.meta["og:site_name"] == "Liveline"
        # The featured image wins over the newest post's.
        assert h.meta["og:image"] == IMAGE == h.meta["twitter:image"]
        assert h.meta["og:image:alt"] == "The harbour at dawn"
        assert h.meta["twitter:card"] == "summary_large_image"
        assert h.meta["article:published_time"].endswith("Z")
        assert h.meta["article:modified_time"] >= h.meta["article:published_time"]
        assert h.meta["theme-color"].startswith("#")
        for kind, ctype in (("atom", "application/atom+xml"), ("rss", "application/rss+xml"),
                            ("json", "application/feed+json")):
            assert h.link("alternate", type=ctype)["href"] == f"{url}/feed.{kind}"
        icons_served(srv, h)

        ld = h.ld()
        assert ld["@context"] == "https://schema.org" and ld["@type"] == "LiveBlogPosting"
        assert ld["url"] == url and ld["headline"] == "Harbour vote"
        assert ld["description"] == desc
        assert ld["coverageStartTime"].endswith("Z") and "coverageEndTime" not in ld
        assert ld["publisher"]["@type"] == "Organization"
        assert ld["publisher"]["name"] == "Liveline"
        assert ld["publisher"]["logo"]["url"].startswith(BASE + "/static/icon-180.")
        assert ld["image"]["url"] == IMAGE
        ups = ld["liveBlogUpdate"]
        assert [u["headline"] for u in ups] == ["Crowd gathers", "Debate opens"]
        assert all(u["@type"] == "BlogPosting" for u in ups)
        assert ups[1]["url"] == f"{url}#post-{first['id']}"
        assert ups[1]["articleBody"] == "The debate has opened."  # plain text
        assert ups[1]["author"] == [{"@type": "Person", "name": "Ann Reporter",
                                     "description": "Local democracy"}]
        assert ups[1]["datePublished"] == first["published_at"]
        assert ups[0]["image"]["url"] == POST_IMAGE
        assert ups[0]["articleBody"].startswith("Hundreds outside.")

        # An edit: the new headline and body, a later dateModified.
        eve.ok("PATCH", f"/pages/{SLUG}/posts/{first['id']}", {
            "title": "Debate opens late", "body": "Delayed by an hour.",
            "version": first["version"], "correction": "The start time was wrong."})
        ups = settled(srv, f"/live/{SLUG}", lambda h: "Debate opens late" in
                      [u["headline"] for u in h.ld()["liveBlogUpdate"]]).ld()["liveBlogUpdate"]
        edited = [u for u in ups if u["url"].endswith(f"#post-{first['id']}")]
        assert len(edited) == 1 and edited[0]["headline"] == "Debate opens late", ups
        assert edited[0]["articleBody"] == "Delayed by an hour."
        assert edited[0]["dateModified"] >= edited[0]["datePublished"]

        # A deletion: the post is gone from the structured data too.
        eve.ok("DELETE", f"/pages/{SLUG}/posts/{second['id']}", status=204)
        h = settled(srv, f"/live/{SLUG}", lambda h: len(h.ld()["liveBlogUpdate"]) == 1)
        ups = h.ld()["liveBlogUpdate"]
        assert [u["headline"] for u in ups] == ["Debate opens late"], ups
        # Without the featured image and with no post image left: a plain card.
        eve.ok("PUT", f"/pages/{SLUG}/summary", {"points": ["Council votes"], "media": None})
        h = settled(srv, f"/live/{SLUG}", lambda h: "image" not in h.ld())
        assert "og:image" not in h.meta and h.meta["twitter:card"] == "summary"

        # The end of coverage.
        eve.ok("POST", f"/pages/{SLUG}/status", {"status": "ended"})
        ld = settled(srv, f"/live/{SLUG}", lambda h: "coverageEndTime" in h.ld()).ld()
        assert ld["coverageEndTime"] >= ld["coverageStartTime"], ld

        # The permalink carries its post as a BlogPosting, part of the live blog.
        h, _ = head_of(srv, f"/live/{SLUG}/posts/{first['id']}")
        purl = f"{url}/posts/{first['id']}"
        assert h.link("canonical")["href"] == purl == h.meta["og:url"]
        assert h.meta["og:title"] == "Debate opens late"
        assert h.meta["description"] == "Delayed by an hour."
        ld = h.ld()
        assert ld["@type"] == "BlogPosting" and ld["headline"] == "Debate opens late"
        assert ld["url"] == purl and ld["articleBody"] == "Delayed by an hour."
        assert ld["isPartOf"] == {"@type": "LiveBlogPosting", "@id": url, "url": url,
                                  "headline": "Harbour vote"}
        assert ld["author"][0]["name"] == "Ann Reporter"


@test
def meta_of_the_index_older_pages_and_error_pages(env):
    env.import_capture(DEMO, "demo", 2025, title="Bridge reopening")
    # 40 posts: the live page holds the newest 20, ?page=1 the oldest 20
    # (the demo's 24 alone fit on the live page).
    for i in range(1, 17):
        env.cli.run("post", "demo", "--title", f"Later {i}", stdin=b"More.", check=0)
    with Server(env.binary, env.db, 1, "--public-base-url", BASE) as srv:
        h, _ = head_of(srv, "/")
        assert h.link("canonical")["href"] == BASE + "/"
        assert h.meta["og:type"] == "website" and h.meta["og:url"] == BASE + "/"
        assert not [s for s in h.scripts if s[0] == "application/ld+json"]
        icons_served(srv, h)

        # An older page is canonical to itself, and
        # its JSON-LD lists the posts it shows, at their anchors there.
        h, _ = head_of(srv, "/live/demo?page=1")
        assert h.link("canonical")["href"] == f"{BASE}/live/demo?page=1"
        ld = h.ld()
        assert ld["@id"] == f"{BASE}/live/demo" and ld["url"] == f"{BASE}/live/demo?page=1"
        ups = ld["liveBlogUpdate"]
        assert ups and all(u["url"].startswith(f"{BASE}/live/demo?page=1#post-") for u in ups)
        # The newest page: canonical to the live page, its updates newest first.
        h, text = head_of(srv, "/live/demo")
        assert h.link("canonical")["href"] == f"{BASE}/live/demo"
        ups = h.ld()["liveBlogUpdate"]
        assert ups[0]["headline"] == "Later 16", ups[0]
        dates = [u["datePublished"] for u in ups]
        assert dates == sorted(dates, reverse=True)
        # Every update the page shows is in its structured data, and no other.
        ids = {u["url"].rsplit("#", 1)[1] for u in ups}
        shown = {f"post-{i}" for i in range(1, 41) if f'id="post-{i}"' in text}
        assert ids == shown, (ids, shown)

        h, _ = head_of(srv, "/live/no-such-page", 404)
        assert h.meta["robots"] == "noindex"
        assert not [l for l in h.links if l.get("rel") == "canonical"]
        assert "og:url" not in h.meta
        icons_served(srv, h)


@test
def hostile_titles_stay_inert_in_meta_tags_and_json_ld(env):
    srv, ada, eve = setup(env)
    with srv:
        make_page(ada, eve, title=HOSTILE, description=HOSTILE)
        post = eve.ok("POST", f"/pages/{SLUG}/posts",
                      {"title": HOSTILE, "body": "Body with </script> in it.",
                       "bylines": [{"name": HOSTILE, "role": ""}]}, 201)["post"]
        for path in (f"/live/{SLUG}", f"/live/{SLUG}/posts/{post['id']}"):
            h, text = head_of(srv, path)
            assert "<script>alert" not in text and "</script><script>" not in text, path
            # The JSON-LD block and the page's own script, nothing else.
            types = sorted(str(s[0]) for s in h.scripts)
            assert types == ["None", "application/ld+json"], (path, h.scripts)
            assert h.meta["og:title"] == HOSTILE == h.meta["twitter:title"]
            ld = h.ld()
            assert ld["headline"] == HOSTILE, ld
            if "posts" in path:
                assert ld["isPartOf"]["headline"] == HOSTILE
                assert ld["articleBody"] == "Body with </script> in it."
                assert ld["author"][0]["name"] == HOSTILE
            else:
                assert ld["description"] == HOSTILE
                assert ld["liveBlogUpdate"][0]["headline"] == HOSTILE
                assert ld["liveBlogUpdate"][0]["author"][0]["name"] == HOSTILE
                assert h.meta["description"] == HOSTILE
                assert h.link("alternate", type="application/atom+xml")["title"] == \
                    HOSTILE + " (Atom)"
        news = ET.fromstring(request(srv.base, "GET", "/sitemap-news.xml").body)
        titles = [t.text for t in news.iter(NEWS + "title")]
        assert titles == [HOSTILE], titles


def sitemap_locs(srv, path):
    r = request(srv.base, "GET", path, headers={"Host": "evil.example"})
    assert r.status == 200, (path, r.status)
    assert r.header("content-type").startswith("application/xml"), r.headers
    root = ET.fromstring(r.body)
    assert root.tag == SITEMAP + "urlset", root.tag
    return {u.findtext(SITEMAP + "loc"): u for u in root.findall(SITEMAP + "url")}


@test
def robots_and_sitemaps_name_published_pages_only(env):
    tokens = add_staff(env)
    env.import_capture(DEMO, "old-story", 2024, title="An old story")
    # Changed three days ago: in the sitemap, not in the news sitemap.
    env.sql("UPDATE pages SET updated_at = updated_at - 259200 WHERE slug = 'old-story';")
    with Server(env.binary, env.db, 2, "--public-base-url", BASE) as srv:
        ada, eve = Api(srv.base, token=tokens["ada"]), Api(srv.base, token=tokens["eve"])
        r = request(srv.base, "GET", "/robots.txt", headers={"Host": "evil.example"})
        assert r.status == 200 and r.header("content-type").startswith("text/plain")
        lines = r.text.splitlines()
        assert lines[0] == "User-agent: *" and "Allow: /" in lines
        assert "Disallow: /newsroom" in lines and "Disallow: /api/" in lines
        assert f"Sitemap: {BASE}/sitemap.xml" in lines
        assert f"Sitemap: {BASE}/sitemap-news.xml" in lines

        make_page(ada, eve)
        make_page(ada, eve, slug="embargoed", title="Embargoed", publish=False)
        # Each worker caches the sitemaps: ask often enough to reach both.
        for _ in range(4):
            locs = sitemap_locs(srv, "/sitemap.xml")
            assert set(locs) == {BASE + "/", f"{BASE}/live/{SLUG}", f"{BASE}/live/old-story"}
            news = sitemap_locs(srv, "/sitemap-news.xml")
            assert set(news) == {f"{BASE}/live/{SLUG}"}, set(news)
        page = ada.ok("GET", f"/pages/{SLUG}")["page"]
        assert locs[f"{BASE}/live/{SLUG}"].findtext(SITEMAP + "lastmod") == page["updated_at"]
        item = news[f"{BASE}/live/{SLUG}"].find(NEWS + "news")
        assert item.findtext(f"{NEWS}publication/{NEWS}name") == "Liveline"
        assert item.findtext(f"{NEWS}publication/{NEWS}language") == "en"
        assert item.findtext(NEWS + "title") == "Harbour vote"
        assert item.findtext(NEWS + "publication_date").endswith("Z")

        # Publishing the embargoed page puts it in both at once (every worker);
        # unpublishing takes it out again.
        listed = f"{BASE}/live/embargoed"

        def everywhere(pred):
            # Several answers in a row, so that both workers have said it.
            return wait_for(lambda: all(pred() for _ in range(4)), timeout=10)
        eve.ok("POST", "/pages/embargoed/publish")
        assert everywhere(lambda: listed in sitemap_locs(srv, "/sitemap.xml") and
                          listed in sitemap_locs(srv, "/sitemap-news.xml"))
        eve.ok("POST", "/pages/embargoed/unpublish")
        assert everywhere(lambda: listed not in sitemap_locs(srv, "/sitemap.xml") and
                          listed not in sitemap_locs(srv, "/sitemap-news.xml"))
        # A change moves lastmod on.
        before = page["updated_at"]
        eve.ok("POST", f"/pages/{SLUG}/posts", {"title": "Result", "body": "Passed."}, 201)
        page = ada.ok("GET", f"/pages/{SLUG}")["page"]
        assert everywhere(lambda: sitemap_locs(srv, "/sitemap.xml")[f"{BASE}/live/{SLUG}"]
                          .findtext(SITEMAP + "lastmod") == page["updated_at"])
        assert page["updated_at"] >= before
