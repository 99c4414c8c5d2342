"""End-to-end tests of a live page's feeds: /live/SLUG/feed.atom, feed.rss and
feed.json, read by a real feed reader (Debian's python3-feedparser, run by
/usr/bin/python3 in a subprocess, since the runner's python may be another
interpreter) and by strict parsers (xml.etree, json): ids, dates, order, links,
and hostile content that must stay escaped.
"""
import datetime
import json
import os
import subprocess
import xml.etree.ElementTree as ET
from zoneinfo import ZoneInfo

from lib import DEMO, Server, capture_posts, curl, missing, request, seed_path, test

SYSTEM_PYTHON = "/usr/bin/python3"
FEEDS = (("feed.atom", "application/atom+xml"), ("feed.rss", "application/rss+xml"),
         ("feed.json", "application/feed+json"))

# Runs in /usr/bin/python3: reads a feed on stdin, prints what feedparser made
# of it as JSON (dates as UTC ISO strings).
FEEDPARSE = r"""
import json, sys, time
import feedparser

def iso(t):
    return None if t is None else time.strftime("%Y-%m-%dT%H:%M:%SZ", t)

d = feedparser.parse(sys.stdin.buffer.read())
print(json.dumps({
    "bozo": bool(d.bozo),
    "bozo_exception": repr(d.get("bozo_exception")),
    "version": d.version,
    "feed": {
        "title": d.feed.get("title"),
        "link": d.feed.get("link"),
        "links": [{"rel": l.get("rel"), "href": l.get("href")} for l in d.feed.get("links", [])],
        "updated": iso(d.feed.get("updated_parsed")),
    },
    "entries": [{
        "id": e.get("id"),
        "title": e.get("title"),
        "link": e.get("link"),
        "published": iso(e.get("published_parsed")),
        "updated": iso(e.get("updated_parsed")),
        "authors": [a.get("name") for a in e.get("authors", [])],
        "content": (e.get("content") or [{}])[0].get("value") or e.get("summary"),
    } for e in d.entries],
}))
"""


def feedparse(body):
    if not os.path.exists(SYSTEM_PYTHON):
        raise missing("no /usr/bin/python3 for feedparser")
    p = subprocess.run([SYSTEM_PYTHON, "-c", FEEDPARSE], input=body, capture_output=True,
                       timeout=60)
    if p.returncode != 0 and b"No module named 'feedparser'" in p.stderr:
        raise missing("python3-feedparser is not installed")
    assert p.returncode == 0, p.stderr.decode(errors="replace")
    return json.loads(p.stdout)


def fetch(srv, slug, name, ctype):
    r = curl(f"{srv.base}/live/{slug}/{name}")
    assert r.status == 200, (name, r.status, r.body[:200])
    assert r.header("content-type").split(";")[0].strip() == ctype, r.header("content-type")
    return r


def read_xml_feed(srv, slug, name, ctype):
    """Fetches one XML feed; checks it is well-formed XML and that feedparser
    reads it without complaint. Returns (raw bytes, feedparser's view)."""
    r = fetch(srv, slug, name, ctype)
    ET.fromstring(r.body)  # strict XML 1.0: raises on anything malformed
    d = feedparse(r.body)
    assert not d["bozo"], (name, d["bozo_exception"])
    return r.body, d


def expected_utc(post, year):
    """A capture post's time as a UTC ISO string (the capture shows local time)."""
    _, _, hm, _, daymonth, _ = post
    day, month = daymonth.split()
    month_no = datetime.datetime.strptime(month, "%B").month
    hh, mm = map(int, hm.split(":"))
    local = datetime.datetime(year, month_no, int(day), hh, mm, tzinfo=ZoneInfo("Europe/London"))
    return local.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_page_feeds(srv, slug, capture, year):
    """Every feed of `slug` holds the capture's posts, newest first, with
    absolute permalinks as ids and links, and the right UTC dates."""
    expect = capture_posts(capture)[:50]
    titles = [p[1] for p in expect]
    dates = [expected_utc(p, year) for p in expect]
    page_url = f"{srv.base}/live/{slug}"
    ids = {}
    for name, ctype in FEEDS[:2]:
        body, d = read_xml_feed(srv, slug, name, ctype)
        entries = d["entries"]
        assert len(entries) == len(expect), (name, len(entries), len(expect))
        assert [e["title"] for e in entries] == titles, name
        got_ids = [e["id"] for e in entries]
        assert len(set(got_ids)) == len(got_ids), (name, "ids not unique")
        for e in entries:
            assert e["link"].startswith(page_url + "/posts/"), (name, e["link"])
            assert e["link"][len(page_url + "/posts/"):].isdigit(), e["link"]
            assert e["id"] == e["link"], (name, e["id"], e["link"])
        assert [e["published"] for e in entries] == dates, (name, entries[0]["published"])
        assert d["feed"]["link"] == page_url, (name, d["feed"]["link"])
        rels = {l["rel"]: l["href"] for l in d["feed"]["links"]}
        assert rels.get("self") == f"{page_url}/{name}", (name, rels)
        assert d["feed"]["updated"] is None or d["feed"]["updated"] >= dates[0], name
        ids[name] = got_ids
        # the same ids on a second fetch
        _, again = read_xml_feed(srv, slug, name, ctype)
        assert [e["id"] for e in again["entries"]] == got_ids, (name, "ids not stable")
    assert ids["feed.atom"] == ids["feed.rss"]

    r = fetch(srv, slug, *FEEDS[2])
    doc = json.loads(r.body)
    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    assert doc["home_page_url"] == page_url
    assert doc["feed_url"] == f"{page_url}/feed.json"
    items = doc["items"]
    assert [i["title"] for i in items] == titles
    assert [i["id"] for i in items] == ids["feed.atom"]
    assert [i["url"] for i in items] == ids["feed.atom"]
    assert [i["date_published"] for i in items] == dates
    assert all(i["content_html"] for i in items)
    return ids["feed.atom"]


@test
def feeds_demo(env):
    env.import_capture(DEMO, "demo", 2026, "Harbour Bridge: live")
    assert len(capture_posts(DEMO)) == 24
    with env.server() as srv:
        ids = check_page_feeds(srv, "demo", DEMO, 2026)
        assert len(ids) == 24
        # 19:02 BST on 12 June 2026 is 18:02 UTC
        _, d = read_xml_feed(srv, "demo", "feed.atom", "application/atom+xml")
        first = d["entries"][0]
        assert first["title"] == "That's all from us for tonight"
        assert first["published"] == "2026-06-12T18:02:00Z", first["published"]
        assert d["feed"]["title"] == "Harbour Bridge: live"
        assert "Megan Pryce" in first["authors"], first["authors"]
        assert "ending our live coverage" in first["content"]
        _, d = read_xml_feed(srv, "demo", "feed.rss", "application/rss+xml")
        assert d["entries"][0]["published"] == "2026-06-12T18:02:00Z"
        # the permalink in the feed is a page that exists
        assert curl(ids[0]).status == 200, ids[0]


@test
def feeds_seed_page(env):
    seed = seed_path()
    env.import_capture(seed, "ukraine-summits", 2025, "Ukraine talks: live")
    with env.server() as srv:
        ids = check_page_feeds(srv, "ukraine-summits", seed, 2025)
        assert len(ids) == 20


@test
def feeds_unknown_page(env):
    with env.server() as srv:
        for name, _ in FEEDS:
            assert curl(f"{srv.base}/live/nosuch/{name}").status == 404, name


HOSTILE = "<script>alert(1)</script>"


@test
def feeds_hostile_content(env):
    path = os.path.join(env.dir, "hostile.txt")
    text = (f"  1. {HOSTILE}published at 10:05 Greenwich Mean Time 3 March\n\n"
            f"    {HOSTILE}\n\n"
            f"    {HOSTILE}\n    Reporter ]]> & co\n\n"
            f"  2. Fish & chips ]]> \x01\x1f<b>bold</b>published at 09:00 Greenwich Mean Time 3 March\n\n"
            f"    A <img src=x onerror=alert(1)> and ]]> too.")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    env.import_capture(path, "hostile", 2025, HOSTILE)
    # a control character XML 1.0 does not allow is dropped, not sent
    clean = "Fish & chips ]]> <b>bold</b>"
    with env.server() as srv:
        for name, ctype in FEEDS:
            r = fetch(srv, "hostile", name, ctype)
            assert b"\x01" not in r.body and b"\x1f" not in r.body, name
            low = r.body.lower()
            assert b"<script" not in low, (name, r.body[:400])
            assert b"<img" not in low, name
            assert b"<b>" not in low, name
        for name, ctype in FEEDS[:2]:
            body, d = read_xml_feed(srv, "hostile", name, ctype)
            assert b"&lt;script&gt;" in body, name
            e = d["entries"]
            assert len(e) == 2
            assert e[1]["title"] in (clean, "Fish &amp; chips ]]&gt; &lt;b&gt;bold&lt;/b&gt;"), e[1]["title"]
            # the content is the escaped HTML of the post: its text, not its markup
            assert "alert(1)" in e[0]["content"] and "<script" not in e[0]["content"], e[0]["content"]
        doc = json.loads(fetch(srv, "hostile", *FEEDS[2]).body)
        assert doc["title"] == HOSTILE
        assert doc["items"][0]["title"] == HOSTILE
        assert doc["items"][1]["title"] == clean
        html = doc["items"][0]["content_html"]
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script" not in html, html


@test
def feeds_links_use_the_public_base_url(env):
    """Links start with --public-base-url, whatever Host a client sends: a
    made-up Host neither changes them nor makes a copy of its own (the ETag
    is the same)."""
    env.import_capture(DEMO, "demo", 2026, "Harbour Bridge: live")
    with Server(env.binary, env.db, 1, "--public-base-url", "https://news.example/") as srv:
        seen = set()
        for host in ("news.example", "evil.example", "127.0.0.1"):
            r = request(srv.base, "GET", "/live/demo/feed.json", headers={"Host": host})
            assert r.status == 200, r.status
            doc = json.loads(r.body)
            assert doc["home_page_url"] == "https://news.example/live/demo", doc["home_page_url"]
            assert all(i["url"].startswith("https://news.example/live/demo/posts/")
                       for i in doc["items"]), doc["items"][0]["url"]
            assert b"evil.example" not in r.body
            seen.add(r.header("etag"))
        assert len(seen) == 1, seen
    # Without it, links name the address the server listens on.
    with env.server() as srv:
        doc = json.loads(fetch(srv, "demo", *FEEDS[2]).body)
        assert doc["home_page_url"] == f"{srv.base}/live/demo", (doc["home_page_url"], srv.base)
