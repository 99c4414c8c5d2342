"""End-to-end tests of the newsroom's pages and forms (/newsroom), used the way
a browser without JavaScript uses them: signing in and out (wrong passwords,
the per-account and per-address limits, the cookie's flags), CSRF on every
form, the composer (urlencoded, and multipart with an image), contributors'
drafts, edit conflicts that keep what was typed, hostile text shown inert on
every page that shows it, and the headers every newsroom page carries.

Signing in costs an Argon2id hash (slower under ASan), so the tests sign in
as few times as they can; rate limits are reached with as few real attempts
as the rule allows.
"""
import datetime
import json
import re
import time
import urllib.parse
import zoneinfo

from lib import (PASSWORD, Api, Browser, add_staff, add_user, list_files, media_dir,
                 parse_html, png, request, sha256_hex, test, wait_for)
from test_newsroom_api import diff, snapshot
from test_stream import Sse

SLUG = "budget"
LIMIT_ACCOUNT, LIMIT_ADDRESS, WINDOW = 5, 20, 15 * 60


def count(env, table, where="1 = 1"):
    return int(env.sql_one(f"SELECT count(*) FROM {table} WHERE {where}"))


def start(env, srv, tokens):
    """The editor's and admin's API clients and the live page."""
    ada = Api(srv.base, token=tokens["ada"])
    eve = Api(srv.base, token=tokens["eve"])
    ada.ok("POST", "/pages", {"slug": SLUG, "title": "Budget day", "zone": "Europe/London"},
           201)
    eve.ok("POST", f"/pages/{SLUG}/publish")
    return ada, eve


def cookie_attrs(set_cookie):
    """The attributes of a Set-Cookie value, lower-cased names: {name: value}."""
    parts = [p.strip() for p in set_cookie.split(";")]
    out = {}
    for p in parts[1:]:
        k, _, v = p.partition("=")
        out[k.lower()] = v
    return parts[0], out


def notice(r):
    """The page's notice or error text (role=alert or status), squashed."""
    doc = parse_html(r.text)
    for n in doc.iter():
        if n.attrs.get("role") in ("alert", "status"):
            return " ".join(n.text().split())
    return ""


def newest_post(api):
    return api.ok("GET", f"/pages/{SLUG}/posts")["posts"][0]


# ---- signing in and out --------------------------------------------------------

@test
def newsroom_forms_signin_and_out(env):
    add_user(env, "eve", "editor", "Eve Editor")
    with env.server() as srv:
        b = Browser(srv.base)
        r = b.get("/newsroom")
        assert r.status == 303 and r.header("location").endswith("/newsroom/signin"), r.headers
        r = b.get("/newsroom/signin")
        assert r.status == 200
        doc = parse_html(r.text)
        assert doc.find("input", name="login") and doc.find("input", name="password",
                                                            type="password")
        assert b.csrf is None  # no session, no token

        r = b.signin("eve", "not the password at all")
        assert r.status == 401, r.status
        assert "Wrong login or password" in notice(r), notice(r)
        assert parse_html(r.text).find("input", name="login").attrs.get("value") == "eve"
        assert "set-cookie" not in r.headers
        r = b.signin("nobody", PASSWORD)
        assert r.status == 401 and "Wrong login or password" in notice(r)
        assert count(env, "sessions") == 0

        r = b.signin("eve")
        assert r.status == 303 and r.header("location").endswith("/newsroom"), r.headers
        first, attrs = cookie_attrs(r.header("set-cookie"))
        assert first.startswith("liveline_session=") and len(first) > 40, first
        assert "httponly" in attrs and attrs.get("samesite") == "Strict", attrs
        assert attrs.get("path") == "/" and attrs.get("max-age") == str(12 * 3600), attrs
        assert "secure" not in attrs, attrs  # plain http
        assert b.get("/newsroom/signin").status == 303  # signed in already
        me = b.api().ok("GET", "/me")["user"]
        assert me["login"] == "eve"

        # X-Forwarded-Proto from a peer that is not a trusted proxy (none is
        # configured here) means nothing; test_hardening_web has the proxy.
        tls = Browser(srv.base)
        r = tls.signin("eve", headers={"X-Forwarded-Proto": "https"})
        assert r.status == 303
        _, attrs = cookie_attrs(r.header("set-cookie"))
        assert "secure" not in attrs and "httponly" in attrs, attrs
        assert count(env, "sessions", "revoked = 0") == 2

        # Signing out needs the CSRF token too (or any page could sign you out).
        r = b.post("/newsroom/signout", csrf=False)
        assert r.status == 403, r.status
        assert b.get("/newsroom").status == 200
        old = b.cookie
        r = b.post("/newsroom/signout")
        assert r.status == 303 and r.header("location").endswith("/newsroom/signin"), r.headers
        first, attrs = cookie_attrs(r.header("set-cookie"))
        assert first == "liveline_session=" and attrs.get("max-age") == "0", r.headers
        # The old cookie is dead on the server, not only in the browser.
        assert b.cookie == old
        r = b.get("/newsroom")
        assert r.status == 303 and r.header("location").endswith("/newsroom/signin")
        assert b.api().get("/me").status == 401
        r = b.post(f"/newsroom/{SLUG}/status", {"status": "live"})
        assert r.status == 401, r.status
        assert tls.get("/newsroom").status == 200  # the other session lives on
        assert count(env, "sessions", "revoked = 0") == 1
        actions = [a for (a,) in env.sql("SELECT action FROM audit ORDER BY id")]
        assert actions[-3:] == ["auth.signin", "auth.signin", "auth.signout"], actions
        # After its 12 hours, a session signs nobody in (its end moved to now).
        expires = int(env.sql_one("SELECT expires_at - created_at FROM sessions "
                                  "WHERE revoked = 0"))
        assert expires == 12 * 3600, expires
        env.sql(f"UPDATE sessions SET expires_at = {int(time.time()) - 1}")
        r = tls.get("/newsroom")
        assert r.status == 303 and r.header("location").endswith("/newsroom/signin"), r.status
        assert tls.api().get("/me").status == 401


@test
def newsroom_forms_signin_limit_per_account(env):
    add_user(env, "eve", "editor", "Eve Editor")
    add_user(env, "cal", "contributor", "Cal Contributor")
    with env.server() as srv:
        b = Browser(srv.base)
        for i in range(LIMIT_ACCOUNT):
            r = b.signin("eve", f"wrong password {i}")
            assert r.status == 401, (i, r.status)
        # The right password now: still refused, and told when to come back.
        r = b.signin("eve")
        assert r.status == 429, r.status
        assert "set-cookie" not in r.headers
        msg = notice(r)
        assert "Too many failed sign-ins for this account" in msg, msg
        assert re.search(r"Try again in 1[45] minutes", msg), msg
        assert b.signin("eve", "wrong again").status == 429
        retry = r.header("retry-after")
        assert retry and 0 < int(retry) <= WINDOW, \
            f"the 429 page has no Retry-After header: {r.headers}"
        # Another account from the same address is not locked out.
        assert Browser(srv.base).signin("cal").status == 303
        # A success clears the account's failures.
        for i in range(3):
            assert b.signin("cal", f"wrong {i} password").status == 401
        assert Browser(srv.base).signin("cal").status == 303
        for i in range(3):
            assert b.signin("cal", f"wrong {i} password").status == 401, i
        assert Browser(srv.base).signin("cal").status == 303

        # Failures older than the window do not count. (The rows are what the
        # server wrote for eve; only their time is moved back.)
        assert count(env, "signin_failures", "key LIKE '%eve%'") == LIMIT_ACCOUNT
        env.sql(f"UPDATE signin_failures SET at = at - {WINDOW + 5} WHERE key LIKE '%eve%'")
        assert Browser(srv.base).signin("eve").status == 303


@test
def newsroom_forms_signin_limit_per_address(env):
    add_user(env, "eve", "editor", "Eve Editor")
    with env.server() as srv:
        b = Browser(srv.base)
        assert b.signin("ghost-0", "wrong password 0").status == 401
        keys = [k for (k,) in env.sql("SELECT key FROM signin_failures")]
        addr = [k for k in keys if "127.0.0.1" in k]
        assert len(keys) == 2 and len(addr) == 1, keys
        # The address's earlier failures, as the server writes them (18 more
        # real attempts would cost 18 Argon2 hashes), then one real one: 20.
        now = int(time.time())
        env.sql("INSERT INTO signin_failures (key, at) VALUES " +
            ", ".join(f"('{addr[0]}', {now})" for _ in range(LIMIT_ADDRESS - 2)))
        assert b.signin("ghost-19", "wrong password 19").status == 401
        assert count(env, "signin_failures", f"key = '{addr[0]}'") == LIMIT_ADDRESS
        r = b.signin("eve")  # an account with no failures of its own
        assert r.status == 429, r.status
        assert "from your address" in notice(r), notice(r)
        assert count(env, "sessions") == 0


# ---- CSRF ---------------------------------------------------------------------------

@test
def newsroom_forms_csrf(env):
    tokens = add_staff(env)
    with env.server() as srv:
        ada, eve = start(env, srv, tokens)
        b, other = Browser(srv.base), Browser(srv.base)
        assert b.signin("eve").status == 303 and other.signin("ada").status == 303
        assert b.csrf != other.csrf
        form = {"title": "Not without a token", "body": "x", "action": "publish"}
        before = snapshot(env)
        # Each form posted by the user it suits (the editor, or the admin),
        # with every kind of wrong token; "another session's" is the other's.
        for who, stranger, path, fields in (
                (b, other, f"/newsroom/{SLUG}/posts", form),
                (b, other, f"/newsroom/{SLUG}/status", {"status": "live"}),
                (b, other, "/newsroom/signout", {}),
                (other, b, "/newsroom/tokens", {"login": "eve", "label": "x"}),
                (other, b, "/newsroom/pages", {"title": "T", "slug": "t"})):
            for name, csrf in (("none", False), ("empty", ""), ("wrong", "wrong"),
                               ("truncated", who.csrf[:-1]), ("another session's", stranger.csrf),
                               ("the cookie", who.cookie), ("an API token", tokens["eve"])):
                r = who.post(path, fields, csrf=csrf)
                assert r.status == 403, (name, path, r.status)
                assert "text/html" in r.header("content-type")
                assert "nothing was changed" in r.text, (name, path)
        assert snapshot(env) == before
        assert b.get("/newsroom").status == 200  # not signed out
        assert snapshot(env) == before
        r = b.post(f"/newsroom/{SLUG}/posts", form)
        assert r.status == 303, (r.status, r.text[:300])
        assert newest_post(eve)["title"] == "Not without a token"


@test
def newsroom_forms_other_origin(env):
    """A form posted from another site (its Origin says so) is refused before
    anything else, sign-in included; the browser's own origin passes. The
    whole origin counts: the same host on another port is another site."""
    tokens = add_staff(env)
    with env.server() as srv:
        ada, eve = start(env, srv, tokens)
        b = Browser(srv.base)
        for origin in ("http://evil.example", "https://127.0.0.1.evil.example", "null"):
            r = b.signin("eve", headers={"Origin": origin})
            assert r.status == 403, (origin, r.status)
            assert not r.header("set-cookie"), origin
        assert b.signin("eve", headers={"Origin": srv.base}).status == 303
        before = snapshot(env)
        r = b.post(f"/newsroom/{SLUG}/status", {"status": "ended"},
                   headers={"Origin": "http://evil.example"})
        assert r.status == 403 and "another site" in r.text, r.status
        assert snapshot(env) == before
        r = b.post(f"/newsroom/{SLUG}/status", {"status": "ended"},
                   headers={"Origin": "http://127.0.0.1"})
        assert r.status == 403 and snapshot(env) == before, r.status
        r = b.post(f"/newsroom/{SLUG}/status", {"status": "ended"},
                   headers={"Origin": srv.base})
        assert r.status == 303, (r.status, r.text[:300])


def reader_article(base, pid):
    """The reader page's <article> of post pid, or None."""
    r = request(base, "GET", f"/live/{SLUG}")
    assert r.status == 200, r.status
    return parse_html(r.text).find("article", id=f"post-{pid}")


def publish_photo(b, eve):
    """Publishes a post with a 1200 x 800 image from the composer (multipart);
    returns the post (from the API) and the image's name."""
    img = png(1200, 800, color=(30, 90, 200))
    r = b.post(f"/newsroom/{SLUG}/posts", [
        ("title", "The red box"), ("body", "The Chancellor held it up."),
        ("image_alt", "The Chancellor holding the red box"),
        ("image_credit", "Liveline Photos"), ("image_caption", "Outside *Number 11*"),
        ("embed_url", "https://example.com/speech"), ("embed_title", "The speech in full"),
        ("action", "publish")], files=[("image", "box.png", "image/png", img)])
    assert r.status == 303, (r.status, notice(r))
    assert r.header("location") == f"/newsroom/{SLUG}?notice=published", r.headers
    return newest_post(eve), sha256_hex(img)[:32]


# ---- the composer ------------------------------------------------------------------

@test
def newsroom_forms_composer(env):
    tokens = add_staff(env)
    with env.server() as srv:
        ada, eve = start(env, srv, tokens)
        b = Browser(srv.base)
        assert b.signin("eve").status == 303
        desk = b.get(f"/newsroom/{SLUG}")
        assert desk.status == 200
        doc = parse_html(desk.text)
        composer = [f for f in doc.find_all("form") if f.attrs.get("action") ==
                    f"/newsroom/{SLUG}/posts"]
        assert len(composer) == 1, [f.attrs for f in doc.find_all("form")]
        assert composer[0].attrs.get("enctype") == "multipart/form-data"
        names = {n.attrs.get("name") for n in composer[0].iter() if n.attrs.get("name")}
        assert {"csrf", "title", "body", "breaking", "key_event", "bylines", "image",
                "image_alt", "image_credit", "image_caption", "publish_at",
                "action"} <= names, names

        # Urlencoded.
        r = b.post(f"/newsroom/{SLUG}/posts", {
            "title": "Income tax thresholds frozen", "body": "Until *2030*.\n\n- One\n- Two",
            "breaking": "on", "key_event": "on",
            "bylines": "Liz Reporter|in Westminster\r\n\r\nSam Snapper|", "action": "publish"})
        assert r.status == 303, (r.status, notice(r))
        assert r.header("location") == f"/newsroom/{SLUG}?notice=published", r.headers
        assert "Published" in notice(b.get(r.header("location")))
        post = newest_post(eve)
        assert (post["title"], post["breaking"], post["key_event"]) == \
            ("Income tax thresholds frozen", True, True), post
        assert post["bylines"] == [{"name": "Liz Reporter", "role": "in Westminster"},
                                   {"name": "Sam Snapper", "role": ""}], post["bylines"]
        assert [x["type"] for x in post["blocks"]] == ["paragraph", "list"], post["blocks"]
        art = wait_for(lambda: reader_article(srv.base, post["id"]))
        assert art is not None, "the reader page does not have the post"
        assert art.find("em").text() == "2030"

        # Multipart, with an image and its alt text, credit and caption.
        post, name = publish_photo(b, eve)
        assert list_files(media_dir(env)) == [f"{name}-{w}.png" for w in (1200, 480, 960)]
        assert post["title"] == "The red box"
        assert post["blocks"][0] == {"type": "paragraph", "text": "The Chancellor held it up."}
        image = post["blocks"][1]
        assert (image["type"], image["url"], image["alt"], image["credit"]) == \
            ("image", f"/media/{name}-1200.png", "The Chancellor holding the red box",
             "Liveline Photos"), image
        assert post["blocks"][2] == {"type": "embed", "url": "https://example.com/speech",
                                     "title": "The speech in full"}, post["blocks"]
        art = wait_for(lambda: reader_article(srv.base, post["id"]))
        assert art is not None, "the reader page does not have the post"
        imgs = art.find_all("img")
        assert len(imgs) == 1 and imgs[0].attrs["alt"] == "The Chancellor holding the red box"
        assert imgs[0].attrs["src"].startswith("/media/" + name), imgs[0].attrs
        assert request(srv.base, "GET", imgs[0].attrs["src"]).status == 200
        assert "Liveline Photos" in art.text() and "Number 11" in art.text()

        # Refusals (each with nothing stored): newsroom_forms_composer_refused.
        r = b.post(f"/newsroom/{SLUG}/posts", {"title": " ", "body": "x", "action": "publish"})
        assert r.status == 422 and "title" in notice(r), (r.status, notice(r))
        # The page shown again keeps what was typed.
        assert "x" in parse_html(r.text).find("textarea", name="body").text()

        # Scheduling from the composer: a local time in the page's zone.
        when = datetime.datetime.now(zoneinfo.ZoneInfo("Europe/London")) + \
            datetime.timedelta(hours=2)
        r = b.post(f"/newsroom/{SLUG}/posts", {"title": "Later", "body": "x",
                                               "action": "schedule",
                                               "publish_at": when.strftime("%Y-%m-%dT%H:%M")})
        assert r.status == 303 and r.header("location").endswith("?notice=scheduled")
        d = eve.ok("GET", f"/pages/{SLUG}/drafts")["drafts"]
        utc = when.replace(second=0, microsecond=0).astimezone(datetime.timezone.utc)
        assert len(d) == 1 and d[0]["state"] == "scheduled", d
        assert d[0]["publish_at"] == utc.strftime("%Y-%m-%dT%H:%M:%SZ"), d
        r = b.post(f"/newsroom/{SLUG}/posts", {"title": "Later", "body": "x",
                                               "action": "schedule", "publish_at": ""})
        assert r.status == 422, r.status


@test
def newsroom_forms_contributor_drafts(env):
    tokens = add_staff(env)
    with env.server() as srv:
        ada, eve = start(env, srv, tokens)
        c = Browser(srv.base)
        assert c.signin("cal").status == 303
        doc = parse_html(c.get(f"/newsroom/{SLUG}").text)
        actions = {n.attrs.get("value") for n in doc.find_all("button", name="action")}
        assert "draft" in actions and "publish" not in actions, actions  # not offered

        r = c.post(f"/newsroom/{SLUG}/posts", {"title": "Cal's first draft", "body": "Words.",
                                               "action": "draft"})
        assert r.status == 303 and r.header("location").endswith("?notice=saved"), r.headers
        drafts = eve.ok("GET", f"/pages/{SLUG}/drafts")["drafts"]
        assert len(drafts) == 1 and drafts[0]["author_name"] == "Cal Contributor", drafts
        did = drafts[0]["id"]
        before = snapshot(env)
        for action in ("publish", "schedule"):
            r = c.post(f"/newsroom/{SLUG}/posts", {"title": "Straight out", "body": "x",
                                                   "action": action, "publish_at":
                                                   "2099-01-01T10:00"})
            assert r.status == 403, (action, r.status)
            assert "editor" in notice(r), notice(r)
        assert snapshot(env) == before

        page = c.get(f"/newsroom/{SLUG}/drafts/{did}/edit")
        assert page.status == 200
        version = parse_html(page.text).find("input", name="version").attrs["value"]
        assert version == "1"
        r = c.post(f"/newsroom/{SLUG}/drafts/{did}", {"title": "Cal's draft", "body": "Better.",
                                                      "version": "1", "action": "draft"})
        assert r.status == 303, (r.status, notice(r))
        r = c.post(f"/newsroom/{SLUG}/drafts/{did}", {"title": "Cal's draft", "body": "Out!",
                                                      "version": "2", "action": "publish"})
        assert r.status == 403, r.status
        d = eve.ok("GET", f"/pages/{SLUG}/drafts/{did}")["draft"]
        assert d["version"] == 2 and d["post"]["blocks"][0]["text"] == "Better.", d
        assert count(env, "posts") == 0

        e = Browser(srv.base)
        assert e.signin("eve").status == 303
        r = e.post(f"/newsroom/{SLUG}/drafts/{did}", {"title": "Cal's draft, edited",
                                                      "body": "Better.", "version": "2",
                                                      "action": "publish"})
        assert r.status == 303 and r.header("location").endswith("?notice=published"), \
            (r.status, notice(r))
        post = newest_post(eve)
        assert post["title"] == "Cal's draft, edited"
        assert post["bylines"] == [{"name": "Cal Contributor", "role": ""}]
        assert eve.get(f"/pages/{SLUG}/drafts/{did}").status == 404
        r = c.post(f"/newsroom/{SLUG}/drafts/{did}/delete")
        assert r.status == 404, r.status


@test
def newsroom_forms_edit_conflict(env):
    tokens = add_staff(env)
    with env.server() as srv:
        ada, eve = start(env, srv, tokens)
        pid = eve.ok("POST", f"/pages/{SLUG}/posts",
                     {"title": "First words", "body": "The first body."}, 201)["post"]["id"]
        b = Browser(srv.base)
        assert b.signin("eve").status == 303
        page = b.get(f"/newsroom/{SLUG}/posts/{pid}/edit")
        assert page.status == 200
        form = parse_html(page.text)
        assert form.find("input", name="version").attrs["value"] == "1"
        assert "The first body." in form.find("textarea", name="body").text()

        # Ada saves first.
        ada.ok("PATCH", f"/pages/{SLUG}/posts/{pid}",
               {"version": 1, "title": "Ada's title", "body": "Ada's newer body."})
        before = snapshot(env)
        r = b.post(f"/newsroom/{SLUG}/posts/{pid}", {
            "title": "Eve's title", "body": "Eve's own careful words.", "version": "1",
            "bylines": "Eve Editor|", "correction": ""})
        assert r.status == 409, r.status
        assert snapshot(env) == before
        doc = parse_html(r.text)
        text = doc.text()
        assert "Ada Admin" in notice(r) and "version 2" in notice(r), notice(r)
        kept = [t.text() for t in doc.find_all("textarea", name="body")]
        assert any("Eve's own careful words." in t for t in kept), kept  # what she typed
        assert "Ada's newer body." in text, "the newer version is not shown"
        assert doc.find("input", name="version").attrs["value"] == "2"
        # Saving again on top of the newer version works.
        r = b.post(f"/newsroom/{SLUG}/posts/{pid}", {
            "title": "Eve's title", "body": "Eve's own careful words.", "version": "2",
            "bylines": "Eve Editor|", "correction": "We changed the title."})
        assert r.status == 303, (r.status, notice(r))
        post = eve.ok("GET", f"/pages/{SLUG}/posts/{pid}")["post"]
        assert (post["title"], post["version"], post["correction"]) == \
            ("Eve's title", 3, "We changed the title."), post


@test
def newsroom_forms_composer_refused(env):
    """Every refused composer form, with or without an image, leaves the
    database and the media folder as they were: an image is stored only for a
    post that is then made."""
    tokens = add_staff(env)
    with env.server() as srv:
        ada, eve = start(env, srv, tokens)
        b = Browser(srv.base)
        assert b.signin("eve").status == 303
        image = [("image", "photo.png", "image/png", png(700, 500, color=(1, 2, 3)))]
        text = [("image", "notes.png", "image/png", b"just some text\n")]
        ok = [("title", "T"), ("body", "x"), ("action", "publish")]
        cases = (
            ("image, no alt field", ok, image, 422, "alt text"),
            ("image, empty alt", ok + [("image_alt", "")], image, 422, "alt text"),
            ("image, blank alt", ok + [("image_alt", "   ")], image, 422, "alt text"),
            ("image, alt, empty title", [("title", " "), ("body", "x"), ("action", "publish"),
                                         ("image_alt", "A photo")], image, 422, "title"),
            ("image, alt, bad Markdown", [("title", "T"), ("body", "![x](javascript:alert(1))"),
                                          ("action", "publish"), ("image_alt", "A photo")],
             image, 422, "image"),
            ("image, alt, bad time", [("title", "T"), ("body", "x"), ("action", "schedule"),
                                      ("publish_at", "soon"), ("image_alt", "A photo")],
             image, 422, "time"),
            ("image, alt, time passed", [("title", "T"), ("body", "x"), ("action", "schedule"),
                                         ("publish_at", "2020-01-01T10:00"),
                                         ("image_alt", "A photo")], image, 422, "passed"),
            ("image, alt, unknown action", [("title", "T"), ("action", "explode"),
                                            ("image_alt", "A photo")], image, 400, ""),
            ("not an image", ok + [("image_alt", "x")], text, 415, "JPEG"),
            ("image over 15 MiB", ok + [("image_alt", "x")],
             [("image", "huge.png", "image/png",
               png(40, 40) + b"\0" * (15 * 1024 * 1024))], 413, "15 MiB"),
            ("empty title", [("title", ""), ("body", "x"), ("action", "publish")], (), 422,
             "title"),
        )
        failures = []
        before = snapshot(env)
        for i, (name, fields, files, status, words) in enumerate(cases):
            if files is image:  # a new image each time: stored ones are kept once
                files = [("image", "photo.png", "image/png", png(700, 500, color=(i, 2, 3)))]
            r = b.post(f"/newsroom/{SLUG}/posts", fields, files=files)
            after = snapshot(env)
            if r.status != status:
                failures.append(f"{name}: got {r.status}, want {status}: {notice(r)}")
            elif words not in notice(r):
                failures.append(f"{name}: the message {notice(r)!r} does not say {words!r}")
            if after != before:
                failures.append(f"{name}: refused, but changed {diff(before, after)}"
                                f" (files now {after['files']})")
                before = after
        assert not failures, "\n".join([f"{len(failures)} wrong:"] + failures)


@test
def newsroom_forms_photo_srcset(env):
    """The reader's <img> of an uploaded image offers every stored width."""
    tokens = add_staff(env)
    with env.server() as srv:
        ada, eve = start(env, srv, tokens)
        b = Browser(srv.base)
        assert b.signin("eve").status == 303
        post, name = publish_photo(b, eve)
        art = wait_for(lambda: reader_article(srv.base, post["id"]))
        assert art is not None, "the reader page does not have the post"
        img = art.find("img")
        srcset = img.attrs.get("srcset")
        assert srcset, f"no srcset on the reader's <img>: {img.attrs}"
        assert [c.split() for c in srcset.split(",")] == \
            [[f"/media/{name}-{w}.png", f"{w}w"] for w in (480, 960, 1200)], srcset
        assert img.attrs.get("sizes"), img.attrs
        for url in re.findall(r"/media/\S+\.png", srcset):
            assert request(srv.base, "GET", url).status == 200, url


@test
def newsroom_forms_photo_caption(env):
    """The composer's caption is Markdown, like the caption of an image in the
    body: what was typed is kept (as emphasis, or as literal asterisks), never
    silently changed."""
    tokens = add_staff(env)
    with env.server() as srv:
        ada, eve = start(env, srv, tokens)
        b = Browser(srv.base)
        assert b.signin("eve").status == 303
        post, _ = publish_photo(b, eve)
        caption = post["blocks"][1].get("caption")
        assert caption in ("Outside *Number 11*", "Outside \\*Number 11\\*"), \
            f"the caption typed as 'Outside *Number 11*' was stored as {caption!r}"


# ---- hostile text ---------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
JS = "javascript:alert(1)"
X = SCRIPT + IMG  # both at once in every field that takes one line
BODY = (f"Text {SCRIPT} and {IMG} here.\n\n"
        f"[click me]({JS}) and [data](data:text/html,<b>x</b>)\n\n"
        f"> {IMG}\n>\n> -- {SCRIPT}\n\n"
        f"- **{SCRIPT}** a point\n- {IMG}\n")


def assert_inert(html, where, shows=True):
    """No script we did not write, no event handler, no javascript: URL; and
    (with `shows`) the hostile text is there, shown as text."""
    assert "<script>alert" not in html.lower(), where
    doc = parse_html(html)
    for n in doc.iter():
        for k, v in n.attrs.items():
            assert not k.startswith("on"), (where, n.tag, k, v)
            if k in ("href", "src", "action", "formaction", "srcset", "poster", "data"):
                assert not (v or "").strip().lower().startswith(("javascript:", "data:",
                                                                 "vbscript:")), (where, k, v)
        if n.tag == "script" and n.attrs.get("type") == "application/ld+json":
            # data, not code: JSON whose '<' are escaped, so no tag ends it
            assert "<" not in n.text(), (where, n.text()[:100])
            json.loads(n.text())
        elif n.tag == "script":
            assert "alert" not in n.text() and n.attrs.get("src", "").startswith("/"), \
                (where, n.attrs, n.text()[:100])
        assert n.tag not in ("iframe", "object", "embed"), (where, n.tag)
    shown = doc.text() + " ".join(str(v) for n in doc.iter() for v in n.attrs.values())
    assert SCRIPT in shown or not shows, f"{where}: the hostile text is not shown at all"
    return SCRIPT in shown


@test
def newsroom_forms_hostile_text_inert(env):
    tokens = add_staff(env)
    with env.server() as srv:
        ada = Api(srv.base, token=tokens["ada"])
        eve = Api(srv.base, token=tokens["eve"])
        cal = Api(srv.base, token=tokens["cal"])
        ada.ok("POST", "/pages", {"slug": SLUG, "title": "Page " + X, "description": X,
                                  "zone": "Europe/London"}, 201)
        eve.ok("POST", f"/pages/{SLUG}/publish")
        eve.ok("POST", f"/pages/{SLUG}/status", {"status": "live"})
        eve.ok("PUT", f"/pages/{SLUG}/summary", {"points": [X, f"[a link]({JS}) " + X],
                                                 "media": {"kind": "image",
                                                           "url": "https://img.example/a.jpg",
                                                           "alt": X, "caption": X}})
        mal = ada.ok("POST", "/users", {"login": "mal", "display_name": "Mal " + X,
                                        "byline_role": X, "password": PASSWORD,
                                        "role": "editor"}, 201)["user"]
        secret = ada.ok("POST", "/tokens", {"login": "mal", "label": X}, 201)["secret"]
        mal_api = Api(srv.base, token=secret)
        pid = mal_api.ok("POST", f"/pages/{SLUG}/posts", {"title": X, "body": BODY},
                         201)["post"]["id"]
        eve.ok("PATCH", f"/pages/{SLUG}/posts/{pid}", {"version": 1, "correction": X,
                                                       "bylines": [{"name": X, "role": X}]})
        did = cal.ok("POST", f"/pages/{SLUG}/drafts", {"title": X, "body": BODY},
                     201)["draft"]["id"]
        b = Browser(srv.base)
        assert b.signin("eve").status == 303
        r = b.post(f"/newsroom/{SLUG}/posts", [
            ("title", "Photo " + X), ("body", BODY), ("bylines", f"{X}|{X}"),
            ("image_alt", X), ("image_credit", X), ("image_caption", X),
            ("embed_url", "https://example.com/e"), ("embed_title", X), ("action", "publish")],
            files=[("image", X + ".png", "image/png", png(500, 300))])
        assert r.status == 303, (r.status, notice(r))
        photo = newest_post(eve)["id"]
        a = Browser(srv.base)
        assert a.signin("ada").status == 303

        pages = {
            "reader page": request(srv.base, "GET", f"/live/{SLUG}"),
            "the post's page": request(srv.base, "GET", f"/live/{SLUG}/posts/{pid}"),
            "the photo post's page": request(srv.base, "GET", f"/live/{SLUG}/posts/{photo}"),
            "pages list": b.get("/newsroom"),
            "desk": b.get(f"/newsroom/{SLUG}"),
            "post editor": b.get(f"/newsroom/{SLUG}/posts/{pid}/edit"),
            "photo post editor": b.get(f"/newsroom/{SLUG}/posts/{photo}/edit"),
            "history": b.get(f"/newsroom/{SLUG}/posts/{pid}/history"),
            "draft editor": b.get(f"/newsroom/{SLUG}/drafts/{did}/edit"),
            "summary editor": b.get(f"/newsroom/{SLUG}/summary"),
            "users": a.get("/newsroom/users"),
            "audit": a.get("/newsroom/audit"),
            "page audit": a.get(f"/newsroom/audit?page={SLUG}"),
        }
        # The token shown once, with its hostile label alongside.
        pages["new token"] = a.post("/newsroom/tokens", {"login": "mal", "label": X})
        assert pages["new token"].status == 201
        # A refused form shows what was typed back, inert too.
        pages["refused composer"] = b.post(f"/newsroom/{SLUG}/posts", {
            "title": X, "body": BODY + "\n\n![](https://img.example/no-alt.jpg)",
            "action": "publish"})
        assert pages["refused composer"].status == 422
        pages["edit conflict"] = b.post(f"/newsroom/{SLUG}/posts/{pid}", {
            "title": X, "body": BODY, "version": "1", "bylines": f"{X}|{X}",
            "correction": X})
        assert pages["edit conflict"].status == 409
        # A notice is named in the query, never taken from it.
        notice_page = b.get("/newsroom?notice=" + urllib.parse.quote(X))
        assert notice_page.status == 200
        assert_inert(notice_page.text, "notice in the query", shows=False)
        assert "alert" not in notice(notice_page), "a notice taken from the URL"
        pages["signin refill"] = Browser(srv.base).signin(X, "wrong password here")
        assert pages["signin refill"].status == 401
        # The preview is the reader's rendering, inert too.
        preview = cal.ok("POST", "/preview", {"title": X, "body": BODY, "slug": SLUG,
                                              "bylines": [{"name": X, "role": X}]})["html"]
        assert_inert(f"<div>{preview}</div>", "preview")
        for where, r in pages.items():
            assert r.status in (200, 201, 401, 409, 422), (where, r.status)
            if where == "signin refill":
                assert "<script>alert" not in r.text.lower()
                continue
            assert_inert(r.text, where)
        # The stream's copy of a post is the reader's, inert too.
        s = Sse(srv.base, f"/live/{SLUG}/events?since=0")
        events = []
        while True:
            e = s.next(timeout=2)
            if e is None:
                break
            events.append(e)
        s.close()
        assert {"post", "update", "summary"} <= {e["event"] for e in events}, events
        shown = 0
        for e in events:
            html = (e["data"] or {}).get("html") or ""
            if html:
                shown += assert_inert(f"<div>{html}</div>", f"stream event {e['id']}",
                                      shows=False)
        assert shown >= 3, shown


# ---- headers ----------------------------------------------------------------------------

@test
def newsroom_forms_security_headers(env):
    tokens = add_staff(env)
    with env.server() as srv:
        ada, eve = start(env, srv, tokens)
        pid = eve.ok("POST", f"/pages/{SLUG}/posts", {"title": "T", "body": "B"}, 201)["post"]["id"]
        b = Browser(srv.base)
        anon = Browser(srv.base)
        assert b.signin("ada").status == 303
        responses = {
            "signin": anon.get("/newsroom/signin"),
            "wrong password": anon.signin("ada", "wrong password!"),
            "refused form": anon.post(f"/newsroom/{SLUG}/status", {"status": "live"}),
            "pages": b.get("/newsroom"),
            "desk": b.get(f"/newsroom/{SLUG}"),
            "edit": b.get(f"/newsroom/{SLUG}/posts/{pid}/edit"),
            "history": b.get(f"/newsroom/{SLUG}/posts/{pid}/history"),
            "summary": b.get(f"/newsroom/{SLUG}/summary"),
            "users": b.get("/newsroom/users"),
            "audit": b.get("/newsroom/audit"),
            "not found": b.get("/newsroom/nosuch/posts/1/edit"),
            "csrf refused": b.post(f"/newsroom/{SLUG}/status", {"status": "live"}, csrf=False),
        }
        for where, r in responses.items():
            assert "text/html" in r.header("content-type"), (where, r.headers)
            csp = r.header("content-security-policy") or ""
            assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, (where, csp)
            assert "object-src 'none'" in csp and "unsafe-inline" not in csp, (where, csp)
            assert r.header("x-frame-options") == "DENY", (where, r.headers)
            assert r.header("cache-control") == "no-store", (where, r.headers)
            assert r.header("x-content-type-options") == "nosniff", (where, r.headers)
        assert responses["not found"].status == 404
        assert responses["csrf refused"].status == 403
        # Redirects and the API are not cached either.
        r = b.post(f"/newsroom/{SLUG}/status", {"status": "live"})
        assert r.status == 303 and r.header("cache-control") == "no-store", r.headers
        r = eve.get("/me")
        assert r.header("cache-control") == "no-store", r.headers
        # No newsroom page is inline script: the CSP forbids it, so none may rely on it.
        for where, r in responses.items():
            for n in parse_html(r.text).iter():
                if n.tag == "script":
                    assert n.attrs.get("src") and not n.text().strip(), (where, n.attrs)
        # The newsroom's own script and style are served.
        doc = parse_html(responses["desk"].text)
        for n in doc.find_all("script") + doc.find_all("link", rel="stylesheet"):
            url = n.attrs.get("src") or n.attrs.get("href")
            assert request(srv.base, "GET", url).status == 200, url
