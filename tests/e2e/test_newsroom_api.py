"""End-to-end tests of the newsroom's JSON API (/api/v1, docs/api.md): the two
ways to sign a call (API tokens; session cookies with their CSRF token), every
route of the table with its status and JSON shape, the errors, what readers
see (the reader page and its stream), revisions and corrections, drafts and
the scheduler (exactly once across workers, and across a restart), the audit
trail, and image uploads.

Then the role matrix: every state-changing route of the API and of the forms,
tried by nobody, a contributor, an editor and an admin, each answer checked,
and every refused request shown to leave the database and the media folder
exactly as they were.

Users and their first tokens are made with the command line, as an operator
would; everything else goes over HTTP.
"""
import datetime
import os
import re
import struct
import subprocess
import time
import zoneinfo

from lib import (PASSWORD, ROOT, Api, Browser, Server, add_staff, add_user, api_error, curl,
                 list_files, make_token, media_dir, parse_html, png, png_chunk_types,
                 png_header_only, request, sha256_hex, test, wait_for)
from test_stream import Sse

SLUG = "budget"
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
HEX32 = re.compile(r"[0-9a-f]{32}")

PAGE_KEYS = {"id", "slug", "title", "description", "zone", "status", "published", "start_at",
             "end_at",
             "summary", "pinned_post_id", "last_seq", "updated_at", "n_posts"}
POST_KEYS = {"id", "title", "published_at", "updated_at", "breaking", "key_event", "pinned",
             "version", "bylines", "blocks"}
POST_OPTIONAL = {"correction", "correction_at"}
DRAFT_KEYS = {"id", "author_id", "author_name", "state", "publish_at", "version",
              "created_at", "updated_at", "post"}
USER_KEYS = {"id", "login", "display_name", "byline_name", "byline_role", "role",
             "disabled", "created_at"}
TOKEN_KEYS = {"id", "user_id", "login", "label", "created_at", "revoked_at"}
REVISION_KEYS = {"id", "version", "user_id", "user_name", "at", "what", "post"}
AUDIT_KEYS = {"id", "at", "user_id", "user_name", "action", "page_id", "post_id", "detail"}
MEDIA_KEYS = {"name", "url", "format", "width", "height", "widths"}

# What a refused request must leave alone: every table the newsroom writes
# (sessions and sign-in failures aside: signing in is not an action).
TABLES = ("pages", "posts", "changes", "drafts", "revisions", "users", "api_tokens",
          "media", "audit")


def shape(obj, keys, optional=()):
    """Asserts obj is a JSON object with exactly these keys (and maybe the
    optional ones)."""
    assert isinstance(obj, dict), obj
    have = set(obj)
    assert keys <= have <= keys | set(optional), (sorted(have ^ keys), obj)


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def snapshot(env):
    """The rows of every newsroom table and the media folder's file list (one
    sqlite3 or psql run: the role matrix takes hundreds of these)."""
    rows = env.sql(" ".join(f"SELECT '#{t}'; SELECT * FROM {t} ORDER BY 1;"
                            for t in TABLES))
    state, cur = {}, None
    for row in rows:
        if len(row) == 1 and row[0].startswith("#") and row[0][1:] in TABLES:
            cur = state[row[0][1:]] = []
        else:
            cur.append(row)
    assert list(state) == list(TABLES), list(state)
    state["files"] = list_files(media_dir(env))
    return state


def diff(before, after):
    return [k for k in before if before[k] != after[k]]


def count(env, table, where="1 = 1"):
    return int(env.sql_one(f"SELECT count(*) FROM {table} WHERE {where}"))


def clients(srv, tokens):
    """(ada, eve, cal): the admin's, the editor's and the contributor's API
    clients, by token."""
    return tuple(Api(srv.base, token=tokens[k]) for k in ("ada", "eve", "cal"))


def make_page(api, slug=SLUG, published=True, **kw):
    """Creates a page (unpublished, as every new page is) and, unless
    `published` is False, publishes it to readers (`api` must be an editor's or
    admin's)."""
    body = {"slug": slug, "title": f"The {slug} live", "zone": "Europe/London", **kw}
    page = api.ok("POST", "/pages", body, 201)["page"]
    assert page["published"] is False, page
    if published:
        page = api.ok("POST", f"/pages/{slug}/publish")["page"]
        assert page["published"] is True, page
    return page


def make_post(api, slug=SLUG, title="A post", body="A paragraph.", **kw):
    return api.ok("POST", f"/pages/{slug}/posts", {"title": title, "body": body, **kw},
                  201)["post"]


def make_draft(api, slug=SLUG, title="A draft", body="Draft text.", **kw):
    return api.ok("POST", f"/pages/{slug}/drafts", {"title": title, "body": body, **kw},
                  201)["draft"]


def user_id(api, login):
    return [u for u in api.ok("GET", "/users")["users"] if u["login"] == login][0]["id"]


def reader_article(base, slug, pid):
    """The reader page's <article> of post pid, or None."""
    r = request(base, "GET", f"/live/{slug}")
    assert r.status == 200, r.status
    return parse_html(r.text).find("article", id=f"post-{pid}")


# ---- signing calls ----------------------------------------------------------

@test
def newsroom_api_auth(env):
    tokens = add_staff(env)
    with env.server() as srv:
        ada, eve, cal = clients(srv, tokens)
        anon = Api(srv.base)
        api_error(anon.get("/me"), 401, "unauthenticated")
        api_error(anon.post("/preview", {"body": "x"}), 401, "unauthenticated")
        api_error(anon.get("/pages"), 401, "unauthenticated")
        other = tokens["ada"][:-1] + ("A" if tokens["ada"][-1] != "A" else "B")
        for bad in ("nope", "x" * len(tokens["ada"]), other, tokens["ada"] + "x"):
            api_error(Api(srv.base, token=bad).get("/me"), 401, "unauthenticated")
        api_error(request(srv.base, "GET", "/api/v1/me",
                          headers={"Authorization": "Basic " + tokens["ada"]}),
                  401, "unauthenticated")

        me = eve.ok("GET", "/me")["user"]
        shape(me, USER_KEYS)
        assert (me["login"], me["role"], me["display_name"], me["disabled"]) == \
            ("eve", "editor", "Eve Editor", False), me
        assert TIME.fullmatch(me["created_at"]), me
        assert cal.ok("GET", "/me")["user"]["role"] == "contributor"
        assert ada.ok("GET", "/me")["user"]["role"] == "admin"
        make_page(ada)

        # A session: reading needs no CSRF token; a change needs the right one.
        b = Browser(srv.base)
        assert b.signin("cal").status == 303
        s = b.api()
        assert s.ok("GET", "/me")["user"]["login"] == "cal"
        before = snapshot(env)
        draft = {"title": "By cookie", "body": "Text."}
        api_error(s.post(f"/pages/{SLUG}/drafts", draft, csrf=False), 403, "csrf")
        for wrong in ("wrong", b.csrf[:-1], tokens["cal"], b.cookie):
            api_error(Api(srv.base, cookie=b.cookie, csrf=wrong)
                      .post(f"/pages/{SLUG}/drafts", draft), 403, "csrf")
        api_error(s.post("/preview", {"body": "x"}, csrf=False), 403, "csrf")
        assert snapshot(env) == before
        d = s.ok("POST", f"/pages/{SLUG}/drafts", draft, 201)["draft"]
        assert d["author_name"] == "Cal Contributor"
        assert count(env, "drafts") == 1
        # Neither the CSRF token nor the cookie is a bearer token.
        api_error(Api(srv.base, token=b.csrf).get("/me"), 401, "unauthenticated")
        api_error(Api(srv.base, token=b.cookie).get("/me"), 401, "unauthenticated")

        # A revoked token signs nobody in; revoking it again changes nothing.
        toks = ada.ok("GET", "/tokens")["tokens"]
        cal_tok = [t for t in toks if t["login"] == "cal"]
        assert len(cal_tok) == 1 and cal_tok[0]["revoked_at"] is None, toks
        ada.ok("DELETE", f"/tokens/{cal_tok[0]['id']}", status=204)
        api_error(cal.get("/me"), 401, "unauthenticated")
        api_error(cal.post(f"/pages/{SLUG}/drafts", draft), 401, "unauthenticated")
        revoked = [t for t in ada.ok("GET", "/tokens")["tokens"] if t["id"] == cal_tok[0]["id"]]
        assert TIME.fullmatch(revoked[0]["revoked_at"] or ""), revoked
        audit = count(env, "audit")
        ada.ok("DELETE", f"/tokens/{cal_tok[0]['id']}", status=204)
        assert count(env, "audit") == audit
        api_error(ada.delete("/tokens/999999"), 404, "not_found")
        assert s.ok("GET", "/me")["user"]["login"] == "cal"  # the session is another thing

        # Disabling a user ends their token and their sessions at once.
        eb = Browser(srv.base)
        assert eb.signin("eve").status == 303
        assert eb.api().ok("GET", "/me")["user"]["login"] == "eve"
        eve_id = user_id(ada, "eve")
        u = ada.ok("PATCH", f"/users/{eve_id}", {"disabled": True})["user"]
        assert u["disabled"] is True
        api_error(eve.get("/me"), 401, "unauthenticated")
        api_error(eb.api().get("/me"), 401, "unauthenticated")
        r = eb.get("/newsroom")
        assert r.status == 303 and r.header("location").endswith("/newsroom/signin"), r.headers
        r = Browser(srv.base).signin("eve")  # the right password, a disabled account
        assert r.status == 403 and "disabled" in r.text, (r.status, r.text[:300])
        assert "set-cookie" not in r.headers
        # Enabling them again does not bring the old credentials back.
        assert ada.ok("PATCH", f"/users/{eve_id}", {"disabled": False})["user"]["disabled"] is False
        api_error(eve.get("/me"), 401, "unauthenticated")
        api_error(eb.api().get("/me"), 401, "unauthenticated")
        assert Browser(srv.base).signin("eve").status == 303
        actions = [a["action"] for a in ada.ok("GET", "/audit")["audit"]]
        assert actions[:2] == ["auth.signin", "user.enable"], actions[:6]
        assert "user.disable" in actions and "token.revoke" in actions, actions


# ---- every route --------------------------------------------------------------

@test
def newsroom_api_every_route(env):
    tokens = add_staff(env)
    with env.server() as srv:
        ada, eve, cal = clients(srv, tokens)
        me = cal.ok("GET", "/me")["user"]
        shape(me, USER_KEYS)

        # Pages.
        page = ada.ok("POST", "/pages", {
            "slug": SLUG, "title": "Budget day", "description": "Every measure.",
            "zone": "Europe/London", "start_at": "2025-07-01T12:30"}, 201)["page"]
        shape(page, PAGE_KEYS)
        assert (page["slug"], page["title"], page["description"], page["zone"],
                page["status"], page["n_posts"]) == \
            (SLUG, "Budget day", "Every measure.", "Europe/London", "upcoming", 0), page
        assert page["start_at"] == "2025-07-01T11:30:00Z", page  # BST
        assert page["summary"] == {"points": [], "media": None}, page
        assert page["pinned_post_id"] in (None, 0), page
        assert page["published"] is False, page
        assert ada.ok("POST", f"/pages/{SLUG}/publish")["page"]["published"] is True
        pages = cal.ok("GET", "/pages")["pages"]
        assert [p["slug"] for p in pages] == [SLUG]
        shape(pages[0], PAGE_KEYS)
        got = cal.ok("GET", f"/pages/{SLUG}")["page"]
        assert got["id"] == page["id"] and got["title"] == "Budget day"
        p = ada.ok("PATCH", f"/pages/{SLUG}", {"title": "Budget day 2025"})["page"]
        assert p["title"] == "Budget day 2025" and p["description"] == "Every measure.", p
        assert "Budget day 2025" in request(srv.base, "GET", f"/live/{SLUG}").text
        p = eve.ok("POST", f"/pages/{SLUG}/status", {"status": "live"})["page"]
        assert p["status"] == "live"
        media = {"kind": "image", "url": "https://img.example/no11.jpg",
                 "alt": "The Chancellor outside Number 11", "caption": "This morning"}
        p = eve.ok("PUT", f"/pages/{SLUG}/summary",
                   {"points": ["Income tax **unchanged**", "Fuel duty frozen"],
                    "media": media})["page"]
        assert p["summary"] == {"points": ["Income tax **unchanged**", "Fuel duty frozen"],
                                "media": media}, p["summary"]
        reader = request(srv.base, "GET", f"/live/{SLUG}").text
        assert "Fuel duty frozen" in reader and "<strong>unchanged</strong>" in reader

        # Posts.
        post = eve.ok("POST", f"/pages/{SLUG}/posts", {
            "title": "The speech begins", "body": "The Chancellor **rises**.",
            "breaking": True}, 201)["post"]
        shape(post, POST_KEYS)
        assert (post["title"], post["breaking"], post["key_event"], post["pinned"],
                post["version"]) == ("The speech begins", True, False, False, 1), post
        assert post["bylines"] == [{"name": "Eve Editor", "role": ""}], post  # the default
        assert post["blocks"] == [{"type": "paragraph", "text": "The Chancellor **rises**."}]
        assert TIME.fullmatch(post["published_at"]) and TIME.fullmatch(post["updated_at"])
        old = eve.ok("POST", f"/pages/{SLUG}/posts", {
            "title": "Earlier", "body": "Before.", "key_event": True,
            "published_at": "2025-07-01T12:00",
            "bylines": [{"name": "Liz Reporter", "role": "in Westminster"}]}, 201)["post"]
        assert old["published_at"] == "2025-07-01T11:00:00Z", old  # BST
        assert old["bylines"] == [{"name": "Liz Reporter", "role": "in Westminster"}]
        lst = cal.ok("GET", f"/pages/{SLUG}/posts")["posts"]
        assert [x["id"] for x in lst] == [post["id"], old["id"]], lst  # newest first
        for x in lst:
            shape(x, POST_KEYS, POST_OPTIONAL)
        assert [x["id"] for x in cal.ok("GET", f"/pages/{SLUG}/posts?page=1")["posts"]] == \
            [post["id"], old["id"]]
        api_error(cal.get(f"/pages/{SLUG}/posts?page=0"), 400, "bad_request")
        api_error(cal.get(f"/pages/{SLUG}/posts?page=9"), 404, "not_found")
        assert cal.ok("GET", f"/pages/{SLUG}/posts/{post['id']}")["post"] == post
        pid = post["id"]
        edited = eve.ok("PATCH", f"/pages/{SLUG}/posts/{pid}",
                        {"version": 1, "title": "The speech is under way"})["post"]
        assert edited["version"] == 2 and edited["title"] == "The speech is under way"
        assert edited["blocks"] == post["blocks"] and edited["breaking"] is True, edited
        revs = cal.ok("GET", f"/pages/{SLUG}/posts/{pid}/revisions")["revisions"]
        assert [r["version"] for r in revs] == [2, 1], revs
        for r in revs:
            shape(r, REVISION_KEYS, {"correction"})
            shape(r["post"], POST_KEYS, POST_OPTIONAL)
        assert revs[0]["post"]["title"] == "The speech is under way"
        assert revs[1]["post"]["title"] == "The speech begins"
        p = eve.ok("POST", f"/pages/{SLUG}/posts/{pid}/pin")["page"]
        assert p["pinned_post_id"] == pid, p
        assert cal.ok("GET", f"/pages/{SLUG}/posts/{pid}")["post"]["pinned"] is True
        p = eve.ok("DELETE", f"/pages/{SLUG}/pin")["page"]
        assert p["pinned_post_id"] in (None, 0), p
        assert cal.ok("GET", f"/pages/{SLUG}/posts/{pid}")["post"]["pinned"] is False
        eve.ok("DELETE", f"/pages/{SLUG}/posts/{old['id']}", status=204)
        api_error(cal.get(f"/pages/{SLUG}/posts/{old['id']}"), 404, "not_found")
        assert f'id="post-{old["id"]}"' not in request(srv.base, "GET", f"/live/{SLUG}").text

        # Drafts.
        d = cal.ok("POST", f"/pages/{SLUG}/drafts",
                   {"title": "Reaction", "body": "Draft text."}, 201)["draft"]
        shape(d, DRAFT_KEYS)
        assert (d["state"], d["version"], d["author_name"], d["publish_at"]) == \
            ("draft", 1, "Cal Contributor", None), d
        shape(d["post"], POST_KEYS, POST_OPTIONAL)
        assert [x["id"] for x in cal.ok("GET", f"/pages/{SLUG}/drafts")["drafts"]] == [d["id"]]
        assert cal.ok("GET", f"/pages/{SLUG}/drafts/{d['id']}")["draft"] == d
        d2 = cal.ok("PATCH", f"/pages/{SLUG}/drafts/{d['id']}",
                    {"version": 1, "body": "Better text."})["draft"]
        assert d2["version"] == 2 and d2["post"]["title"] == "Reaction"
        assert d2["post"]["blocks"] == [{"type": "paragraph", "text": "Better text."}]
        published = eve.ok("POST", f"/pages/{SLUG}/drafts/{d['id']}/publish",
                           {"version": 2}, 201)["post"]
        shape(published, POST_KEYS, POST_OPTIONAL)
        assert published["title"] == "Reaction"
        assert published["bylines"] == [{"name": "Cal Contributor", "role": ""}], published
        api_error(cal.get(f"/pages/{SLUG}/drafts/{d['id']}"), 404, "not_found")
        assert cal.ok("GET", f"/pages/{SLUG}/drafts")["drafts"] == []
        d3 = make_draft(cal, title="Not needed")
        cal.ok("DELETE", f"/pages/{SLUG}/drafts/{d3['id']}", status=204)
        api_error(cal.get(f"/pages/{SLUG}/drafts/{d3['id']}"), 404, "not_found")

        # Media and preview.
        img = png(640, 480)
        m = cal.ok("POST", "/media", raw=img, status=201,
                   headers={"Content-Type": "image/png"})["media"]
        shape(m, MEDIA_KEYS)
        assert m["name"] == sha256_hex(img)[:32], m
        assert (m["format"], m["width"], m["height"]) == ("png", 640, 480), m
        assert m["widths"] == [480, 640] and m["url"] == f"/media/{m['name']}-640.png", m
        html = cal.ok("POST", "/preview", {"body": "Some *emphasis*."})["html"]
        assert "<em>emphasis</em>" in html and "<article" in html, html

        # Users and tokens.
        users = ada.ok("GET", "/users")["users"]
        assert {u["login"] for u in users} == {"ada", "eve", "cal"}
        for u in users:
            shape(u, USER_KEYS)
        u = ada.ok("POST", "/users", {"login": "zoe", "display_name": "Zoe Newcomer",
                                      "password": PASSWORD, "role": "contributor",
                                      "byline_role": "Reporter"}, 201)["user"]
        shape(u, USER_KEYS)
        assert (u["login"], u["display_name"], u["role"], u["byline_role"], u["disabled"]) == \
            ("zoe", "Zoe Newcomer", "contributor", "Reporter", False), u
        u = ada.ok("PATCH", f"/users/{u['id']}",
                   {"role": "editor", "display_name": "Zoe Editor"})["user"]
        assert (u["role"], u["display_name"]) == ("editor", "Zoe Editor"), u
        assert Browser(srv.base).signin("zoe").status == 303
        toks = ada.ok("GET", "/tokens")["tokens"]
        assert sorted(t["login"] for t in toks) == ["ada", "cal", "eve"]
        for t in toks:
            shape(t, TOKEN_KEYS)
        created = ada.ok("POST", "/tokens", {"login": "zoe", "label": "wire importer"}, 201)
        assert set(created) == {"token", "secret"}, created
        shape(created["token"], TOKEN_KEYS)
        assert created["token"]["label"] == "wire importer"
        assert created["token"]["login"] == "zoe"
        zoe = Api(srv.base, token=created["secret"])
        assert zoe.ok("GET", "/me")["user"]["role"] == "editor"
        assert created["secret"] not in ada.get("/tokens").text  # shown once
        ada.ok("DELETE", f"/tokens/{created['token']['id']}", status=204)
        api_error(zoe.get("/me"), 401, "unauthenticated")

        # The audit trail.
        audit = eve.ok("GET", "/audit")["audit"]
        for a in audit:
            shape(a, AUDIT_KEYS)
        ids = [a["id"] for a in audit]
        assert ids == sorted(ids, reverse=True), ids
        assert audit[0]["action"] == "token.revoke", audit[0]
        on_page = eve.ok("GET", f"/audit?page={SLUG}&limit=3")["audit"]
        assert len(on_page) == 3 and all(a["page_id"] == page["id"] for a in on_page), on_page
        api_error(eve.get("/audit?page=nosuch"), 404, "not_found")


# ---- errors -------------------------------------------------------------------

@test
def newsroom_api_errors(env):
    tokens = add_staff(env)
    with env.server() as srv:
        ada, eve, cal = clients(srv, tokens)
        make_page(ada)
        post = make_post(eve, title="Original title", body="Original body.")
        pid = post["id"]
        draft = make_draft(cal)
        posts = f"/pages/{SLUG}/posts"
        before = snapshot(env)

        def check(name, r, status, code):
            api_error(r, status, code)
            changed = diff(before, snapshot(env))
            assert not changed, f"{name}: changed {changed}"

        # 400: not JSON, not an object, wrong types.
        for raw in (b"{", b"{\"title\": }", b"[1, 2]", b"\"title\"", b"\xff\xfe",
                    b"{\"title\": \"a\", \"title\": \"b\"}"):
            check(raw, eve.call("POST", posts, raw=raw,
                                headers={"Content-Type": "application/json"}),
                  400, "bad_request")
        for body in ({"title": 5, "body": "x"}, {"title": "x", "body": ["x"]},
                     {"title": "x", "breaking": "yes"}, {"title": "x", "key_event": 1},
                     {"title": "x", "bylines": "Eve"}, {"title": "x", "bylines": ["Eve"]},
                     {"title": "x", "title_": 1, "published_at": 12}):
            check(body, eve.post(posts, body), 400, "bad_request")
        check("version as text", eve.patch(f"{posts}/{pid}", {"version": "1", "title": "x"}),
              400, "bad_request")
        check("status not text", eve.post(f"/pages/{SLUG}/status", {"status": 1}),
              400, "bad_request")
        check("points not a list", eve.put(f"/pages/{SLUG}/summary", {"points": "a"}),
              400, "bad_request")
        check("disabled not boolean", ada.patch(f"/users/{user_id(ada, 'cal')}",
                                                {"disabled": "yes"}), 400, "bad_request")

        # 404: unknown pages, posts, drafts, users, tokens and addresses.
        for name, r in (
                ("page", cal.get("/pages/nosuch")),
                ("page posts", eve.post("/pages/nosuch/posts", {"title": "x"})),
                ("bad slug", cal.get("/pages/NO%20SUCH")),
                ("post", cal.get(f"{posts}/999999")),
                ("post edit", eve.patch(f"{posts}/999999", {"version": 1, "title": "x"})),
                ("post delete", eve.delete(f"{posts}/999999")),
                ("post pin", eve.post(f"{posts}/999999/pin")),
                ("revisions", cal.get(f"{posts}/999999/revisions")),
                ("draft", cal.get(f"/pages/{SLUG}/drafts/999999")),
                ("draft edit", cal.patch(f"/pages/{SLUG}/drafts/999999", {"version": 1})),
                ("draft delete", cal.delete(f"/pages/{SLUG}/drafts/999999")),
                ("draft publish", eve.post(f"/pages/{SLUG}/drafts/999999/publish")),
                ("user", ada.patch("/users/999999", {"display_name": "x"})),
                ("token", ada.delete("/tokens/999999")),
                ("address", cal.get("/nosuch")),
                ("address below a post", cal.get(f"{posts}/{pid}/nosuch")),
                ("post id zero", cal.get(f"{posts}/0")),
                ("post id text", cal.get(f"{posts}/abc")),
                ("audit of no page", eve.get("/audit?page=nosuch"))):
            check(name, r, 404, "not_found")

        # 405.
        for name, r in (("PUT pages", ada.put("/pages", {"slug": "x", "title": "x"})),
                        ("DELETE me", cal.delete("/me")),
                        ("GET media", cal.get("/media")),
                        ("DELETE page", ada.delete(f"/pages/{SLUG}")),
                        ("PUT post", eve.put(f"{posts}/{pid}", {"title": "x"})),
                        ("POST revisions", eve.post(f"{posts}/{pid}/revisions")),
                        ("GET publish", eve.get(f"/pages/{SLUG}/drafts/{draft['id']}/publish")),
                        ("DELETE users", ada.delete("/users")),
                        ("GET preview", cal.get("/preview"))):
            check(name, r, 405, "method_not_allowed")
            assert r.header("allow"), (name, r.headers)

        # 409: versions, slugs, logins.
        eve.ok("PATCH", f"{posts}/{pid}", {"version": 1, "title": "Second title"})
        cal.ok("PATCH", f"/pages/{SLUG}/drafts/{draft['id']}", {"version": 1, "body": "v2"})
        before = snapshot(env)
        msg = api_error(ada.patch(f"{posts}/{pid}", {"version": 1, "title": "Stale"}),
                        409, "conflict")
        assert "Eve Editor" in msg and "version 2" in msg, msg
        check("stale post", ada.patch(f"{posts}/{pid}", {"version": 1, "body": "x"}),
              409, "conflict")
        check("future post version", ada.patch(f"{posts}/{pid}", {"version": 7, "body": "x"}),
              409, "conflict")
        check("stale draft", eve.patch(f"/pages/{SLUG}/drafts/{draft['id']}",
                                       {"version": 1, "body": "Stale"}), 409, "conflict")
        check("stale publish", eve.post(f"/pages/{SLUG}/drafts/{draft['id']}/publish",
                                        {"version": 1}), 409, "conflict")
        check("slug taken", ada.post("/pages", {"slug": SLUG, "title": "Again"}),
              409, "conflict")
        check("login taken", ada.post("/users", {"login": "eve", "display_name": "Other Eve",
                                                 "password": PASSWORD, "role": "editor"}),
              409, "conflict")
        assert cal.ok("GET", f"{posts}/{pid}")["post"]["title"] == "Second title"

        # 413: a JSON body over 1 MiB; an upload over 15 MiB; a body over the
        # server's upload bound (refused before it is read).
        check("JSON over 1 MiB", eve.post(posts, {"title": "Big", "body": "x" * (1 << 20)}),
              413, "too_large")
        check("image over 15 MiB", cal.post("/media", raw=b"\x89PNG\r\n\x1a\n" +
                                            os.urandom(15 * 1024 * 1024 + 1)),
              413, "too_large")
        big = os.path.join(env.dir, "big.bin")
        with open(big, "wb") as f:
            f.write(b"\x89PNG\r\n\x1a\n" + b"\0" * (18 * 1024 * 1024))
        r = curl(srv.base + "/api/v1/media", "--data-binary", "@" + big, method="POST",
                 headers=[f"Authorization: Bearer {tokens['cal']}",
                          "Content-Type: image/png"])
        check("body over 17 MiB", r, 413, "too_large")

        # 415: not an image by content, whatever it says it is.
        for data in (b"hello, this is text\n", b"<svg xmlns='http://www.w3.org/2000/svg'/>",
                     b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", b"%PDF-1.4\n"):
            check(data[:8], cal.post("/media", raw=data, headers={"Content-Type": "image/png"}),
                  415, "unsupported_media_type")

        # 422: well-formed, against a rule.
        for name, r in (
                ("empty title", eve.post(posts, {"title": "  ", "body": "x"})),
                ("no title", eve.post(posts, {"body": "x"})),
                ("title with a line break", eve.post(posts, {"title": "a\nb"})),
                ("bad slug", ada.post("/pages", {"slug": "Bad Slug!", "title": "x"})),
                ("slug with a dash at the end", ada.post("/pages", {"slug": "bad-", "title": "x"})),
                ("reserved slug", ada.post("/pages", {"slug": "users", "title": "x"})),
                ("reserved slug signin", ada.post("/pages", {"slug": "signin", "title": "x"})),
                ("unknown zone", ada.post("/pages", {"slug": "zoned", "title": "x",
                                                     "zone": "Mars/Olympus_Mons"})),
                ("unknown zone on update", ada.patch(f"/pages/{SLUG}", {"zone": "Nowhere/X"})),
                ("not a time", eve.post(posts, {"title": "x", "published_at": "tomorrow"})),
                ("unknown status", eve.post(f"/pages/{SLUG}/status", {"status": "paused"})),
                ("image without alt", eve.post(posts, {
                    "title": "x", "body": "![](/media/0123456789abcdef0123456789abcdef-480.png)"
                                          "\nImage source: Us"})),
                ("image without alt in a draft", cal.post(f"/pages/{SLUG}/drafts", {
                    "title": "x", "body": "Text.\n\n![](https://img.example/a.jpg)"})),
                ("featured image without alt", eve.put(f"/pages/{SLUG}/summary", {
                    "points": [], "media": {"kind": "image", "url": "https://img.example/a.jpg"}})),
                ("javascript: media", eve.put(f"/pages/{SLUG}/summary", {
                    "points": [], "media": {"kind": "video", "url": "javascript:alert(1)"}})),
                ("short password", ada.post("/users", {"login": "shorty", "display_name": "S",
                                                       "password": "short", "role": "editor"})),
                ("short password on update", ada.patch(f"/users/{user_id(ada, 'cal')}",
                                                       {"password": "123"})),
                ("unknown role", ada.post("/users", {"login": "r", "display_name": "R",
                                                     "password": PASSWORD, "role": "owner"})),
                ("bad login", ada.post("/users", {"login": "Not A Login", "display_name": "R",
                                                  "password": PASSWORD, "role": "editor"})),
                ("token for nobody", ada.post("/tokens", {"login": "nobody", "label": "x"})),
                ("demoting oneself", ada.patch(f"/users/{user_id(ada, 'ada')}",
                                               {"role": "editor"})),
                ("scheduling in the past", eve.post(f"/pages/{SLUG}/drafts", {
                    "title": "Late", "body": "x", "publish_at": iso(time.time() - 3600)})),
                ("rescheduling in the past", eve.patch(f"/pages/{SLUG}/drafts/{draft['id']}", {
                    "version": 2, "publish_at": "2020-01-01T09:00:00Z"}))):
            check(name, r, 422, "invalid")


# ---- what readers see -----------------------------------------------------------

def corrected_article(base, pid, word):
    """The reader page's article of pid once it holds `word`, or None."""
    def got():
        a = reader_article(base, SLUG, pid)
        return a if a is not None and word in a.text() else None
    return wait_for(got)


@test
def newsroom_api_reaches_readers(env):
    tokens = add_staff(env)
    with env.server() as srv:
        ada, eve, cal = clients(srv, tokens)
        make_page(ada)
        eve.ok("POST", f"/pages/{SLUG}/status", {"status": "live"})
        s = Sse(srv.base, f"/live/{SLUG}/events")
        assert s.resp.status == 200
        t0 = time.time()
        # An hour ago, so that an edit now is shown as an update.
        post = make_post(eve, title="Rates cut", body="The Bank cut rates by half a point.",
                         breaking=True, published_at=iso(time.time() - 3600))
        pid = post["id"]
        e = s.next(timeout=5)
        assert e and e["event"] == "post" and e["data"]["post_id"] == pid, \
            f"no stream event for a post published through the API: {e}"
        assert time.time() - t0 < 3
        assert "Rates cut" in e["data"]["html"]
        art = wait_for(lambda: reader_article(srv.base, SLUG, pid))
        assert art is not None, "the reader page does not have the post"
        assert "Rates cut" in art.text()
        assert art.find(cls="post-updated") is None, "a new post shown as updated"

        eve.ok("PATCH", f"/pages/{SLUG}/posts/{pid}", {
            "version": 1, "body": "The Bank cut rates by a quarter of a point."})
        e = s.next(timeout=5)
        assert e and e["event"] == "update" and e["data"]["post_id"] == pid, e
        assert "a quarter of a point" in e["data"]["html"] and "Updated" in e["data"]["html"]
        art = corrected_article(srv.base, pid, "quarter")
        assert art is not None, "the reader page did not change"
        assert art.find(cls="post-updated") is not None and "Updated" in art.text(), art.text()
        eve.ok("POST", f"/pages/{SLUG}/posts/{pid}/pin")
        eve.ok("DELETE", f"/pages/{SLUG}/pin")
        eve.ok("PUT", f"/pages/{SLUG}/summary", {"points": ["Rates cut"]})
        eve.ok("POST", f"/pages/{SLUG}/status", {"status": "ended"})
        eve.ok("DELETE", f"/pages/{SLUG}/posts/{pid}", status=204)
        kinds = [s.next(timeout=5) for _ in range(5)]
        assert [k and k["event"] for k in kinds] == ["pin", "pin", "summary", "status",
                                                     "delete"], kinds
        assert wait_for(lambda: reader_article(srv.base, SLUG, pid) is None)
        s.close()


@test
def newsroom_api_correction_shown(env):
    """An edit with a correction note: readers see the note and "Updated", on
    the live page, the post's own page and in the stream's copy."""
    tokens = add_staff(env)
    with env.server() as srv:
        ada, eve, cal = clients(srv, tokens)
        make_page(ada)
        post = make_post(eve, title="Rates cut", body="The Bank cut rates by half a point.",
                         published_at=iso(time.time() - 3600))
        pid = post["id"]
        s = Sse(srv.base, f"/live/{SLUG}/events")
        note = "An earlier version of this post said the cut was half a point."
        edited = eve.ok("PATCH", f"/pages/{SLUG}/posts/{pid}", {
            "version": 1, "body": "The Bank cut rates by a quarter of a point.",
            "correction": note})["post"]
        assert edited["correction"] == note and TIME.fullmatch(edited["correction_at"]), edited
        revs = cal.ok("GET", f"/pages/{SLUG}/posts/{pid}/revisions")["revisions"]
        assert revs[0]["correction"] == note and "correction" in revs[0]["what"], revs[0]
        assert "correction" not in revs[1], revs[1]
        art = corrected_article(srv.base, pid, "quarter")
        assert art is not None, "the reader page did not change"
        text = art.text()
        assert "Updated" in text, text
        assert note in text, f"the reader page does not show the correction note: {text!r}"
        one = request(srv.base, "GET", f"/live/{SLUG}/posts/{pid}")
        assert one.status == 200 and note in parse_html(one.text).text(), \
            "the post's own page does not show the correction note"
        e = s.next(timeout=5)
        s.close()
        assert e and e["event"] == "update" and e["data"]["post_id"] == pid, e
        assert note in e["data"]["html"], "the stream's update has no correction note"
        # An edit without a note keeps it; "" removes it, and readers see that too.
        kept = eve.ok("PATCH", f"/pages/{SLUG}/posts/{pid}", {"version": 2, "key_event": True})
        assert kept["post"]["correction"] == note
        gone = eve.ok("PATCH", f"/pages/{SLUG}/posts/{pid}", {"version": 3, "correction": ""})
        assert "correction" not in gone["post"], gone
        art = wait_for(lambda: (lambda a: a if a is not None and note not in a.text() else None)(
            reader_article(srv.base, SLUG, pid)))
        assert art is not None, "the removed note is still shown"


@test
def newsroom_api_revisions(env):
    tokens = add_staff(env)
    with env.server() as srv:
        ada, eve, cal = clients(srv, tokens)
        make_page(ada)
        pid = make_post(eve, title="First", body="One.")["id"]
        base = f"/pages/{SLUG}/posts/{pid}"
        eve.ok("PATCH", base, {"version": 1, "title": "Second"})
        ada.ok("PATCH", base, {"version": 2, "body": "Two.", "breaking": True})
        eve.ok("PATCH", base, {"version": 3, "correction": "We misspelt a name."})
        revs = cal.ok("GET", base + "/revisions")["revisions"]
        assert [r["version"] for r in revs] == [4, 3, 2, 1], revs
        assert [r["user_name"] for r in revs] == ["Eve Editor", "Ada Admin", "Eve Editor",
                                                  "Eve Editor"], revs
        ids = {k: v for k, v in ((u["login"], u["id"]) for u in ada.ok("GET", "/users")["users"])}
        assert [r["user_id"] for r in revs] == [ids["eve"], ids["ada"], ids["eve"], ids["eve"]]
        whats = [r["what"] for r in revs]
        assert "correction" in whats[0], whats
        assert "body" in whats[1] and "breaking" in whats[1] and "title" not in whats[1], whats
        assert "title" in whats[2] and "body" not in whats[2], whats
        assert whats[3], whats
        assert [r["post"]["title"] for r in revs] == ["Second", "Second", "Second", "First"]
        assert revs[1]["post"]["blocks"] == [{"type": "paragraph", "text": "Two."}]
        assert revs[3]["post"]["blocks"] == [{"type": "paragraph", "text": "One."}]
        ats = [r["at"] for r in revs]
        assert ats == sorted(ats, reverse=True) and all(TIME.fullmatch(a) for a in ats), ats
        assert count(env, "revisions", f"post_id = {pid}") == 4


# ---- drafts and the scheduler ------------------------------------------------------

@test
def newsroom_api_draft_lifecycle(env):
    tokens = add_staff(env)
    with env.server() as srv:
        ada, eve, cal = clients(srv, tokens)
        make_page(ada)
        d = make_draft(cal, title="Reaction from the markets", body="Shares rose.")
        did = d["id"]
        url = f"/pages/{SLUG}/drafts/{did}"
        d = cal.ok("PATCH", url, {"version": 1, "body": "Shares rose 2%."})["draft"]
        assert d["version"] == 2
        before = snapshot(env)
        msg = api_error(cal.patch(url, {"version": 1, "body": "Lost"}), 409, "conflict")
        assert "version 2" in msg, msg
        assert snapshot(env) == before
        d = eve.ok("PATCH", url, {"version": 2, "title": "Markets react"})["draft"]
        assert d["version"] == 3 and d["author_name"] == "Cal Contributor"  # still Cal's
        assert cal.ok("GET", url)["draft"]["post"]["title"] == "Markets react"
        before = snapshot(env)
        api_error(eve.post(url + "/publish", {"version": 2}), 409, "conflict")
        assert snapshot(env) == before
        n_posts, n_post_changes = count(env, "posts"), count(env, "changes", "kind = 'post'")
        post = eve.ok("POST", url + "/publish", {"version": 3}, 201)["post"]
        assert post["title"] == "Markets react"
        assert post["blocks"] == [{"type": "paragraph", "text": "Shares rose 2%."}]
        assert post["bylines"] == [{"name": "Cal Contributor", "role": ""}], post
        api_error(cal.get(url), 404, "not_found")
        api_error(eve.post(url + "/publish"), 404, "not_found")
        assert cal.ok("GET", f"/pages/{SLUG}/drafts")["drafts"] == []
        assert count(env, "drafts") == 0
        assert count(env, "posts") == n_posts + 1
        assert count(env, "changes", "kind = 'post'") == n_post_changes + 1
        assert count(env, "audit", f"action = 'draft.publish' AND post_id = {post['id']}") == 1
        art = wait_for(lambda: reader_article(srv.base, SLUG, post["id"]))
        assert art is not None and "Markets react" in art.text()
        # Publishing without a version takes the draft as it is.
        d = make_draft(cal, title="Second draft")
        post2 = eve.ok("POST", f"/pages/{SLUG}/drafts/{d['id']}/publish", None, 201)["post"]
        assert post2["title"] == "Second draft"
        # Unscheduling: a scheduled draft made a draft again.
        d = make_draft(eve, title="Later", publish_at=iso(time.time() + 3600))
        assert d["state"] == "scheduled" and TIME.fullmatch(d["publish_at"]), d
        d = eve.ok("PATCH", f"/pages/{SLUG}/drafts/{d['id']}",
                   {"version": 1, "publish_at": None})["draft"]
        assert d["state"] == "draft" and d["publish_at"] is None, d


def schedule_counts(env, title):
    """(posts with this title, their "post" change-log entries, "schedule.publish"
    audit entries for them, drafts left)."""
    q = f"(SELECT id FROM posts WHERE title = '{title}')"
    return (count(env, "posts", f"title = '{title}'"),
            count(env, "changes", f"kind = 'post' AND post_id IN {q}"),
            count(env, "audit", f"action = 'schedule.publish' AND post_id IN {q}"),
            count(env, "drafts"))


@test
def newsroom_api_schedule_exactly_once(env):
    tokens = add_staff(env)
    with Server(env.binary, env.db, 2) as srv:
        assert len(srv.workers()) == 2
        ada, eve, cal = clients(srv, tokens)
        make_page(ada)
        at = int(time.time()) + 2
        title = "At the stroke of the hour"
        d = make_draft(eve, title=title, body="Scheduled text.", publish_at=iso(at))
        assert d["state"] == "scheduled" and d["publish_at"] == iso(at), d
        assert count(env, "audit", "action = 'draft.schedule'") == 1
        assert schedule_counts(env, title) == (0, 0, 0, 1)
        assert wait_for(lambda: schedule_counts(env, title)[0] >= 1, timeout=10), \
            "the scheduled post was not published"
        time.sleep(2.5)  # both workers have looked again since
        assert schedule_counts(env, title) == (1, 1, 1, 0), schedule_counts(env, title)
        posts = [p for p in cal.ok("GET", f"/pages/{SLUG}/posts")["posts"] if p["title"] == title]
        assert len(posts) == 1, posts
        assert posts[0]["published_at"] == iso(at), posts[0]
        assert posts[0]["bylines"] == [{"name": "Eve Editor", "role": ""}]
        api_error(cal.get(f"/pages/{SLUG}/drafts/{d['id']}"), 404, "not_found")
        art = wait_for(lambda: reader_article(srv.base, SLUG, posts[0]["id"]))
        assert art is not None
        entry = [a for a in eve.ok("GET", "/audit")["audit"] if a["action"] == "schedule.publish"]
        assert len(entry) == 1 and entry[0]["post_id"] == posts[0]["id"], entry
        assert entry[0]["user_id"] == 0, entry  # the system, not whoever acted last
        assert entry[0]["user_name"] == "scheduler", entry
        assert entry[0]["at"] >= iso(at), (entry[0]["at"], iso(at))  # not early


@test
def newsroom_api_schedule_survives_restart(env):
    tokens = add_staff(env)
    title = "Published while the server was down"
    srv = Server(env.binary, env.db, 2)
    try:
        ada, eve, cal = clients(srv, tokens)
        make_page(ada)
        at = int(time.time()) + 3
        make_draft(eve, title=title, publish_at=iso(at))
    finally:
        srv.stop()
    assert schedule_counts(env, title) == (0, 0, 0, 1)
    time.sleep(max(0, at + 1 - time.time()))
    assert schedule_counts(env, title) == (0, 0, 0, 1)  # nobody ran it meanwhile
    with Server(env.binary, env.db, 2) as srv:
        assert wait_for(lambda: schedule_counts(env, title)[0] >= 1, timeout=10), \
            "the overdue post was not published after the restart"
        time.sleep(2)
        assert schedule_counts(env, title) == (1, 1, 1, 0), schedule_counts(env, title)
        _, _, cal = clients(srv, tokens)
        posts = [p for p in cal.ok("GET", f"/pages/{SLUG}/posts")["posts"] if p["title"] == title]
        assert len(posts) == 1 and posts[0]["published_at"] == iso(at), posts
    # And once more: a second restart publishes nothing again.
    with Server(env.binary, env.db, 2):
        time.sleep(1.5)
        assert schedule_counts(env, title) == (1, 1, 1, 0)


# ---- the audit trail ---------------------------------------------------------------

@test
def newsroom_api_audit_trail(env):
    tokens = add_staff(env)
    with env.server() as srv:
        ada, eve, cal = clients(srv, tokens)
        start = int(env.sql_one("SELECT coalesce(max(id), 0) FROM audit"))
        page = make_page(ada)
        post = make_post(eve, title="Audited")
        eve.ok("PATCH", f"/pages/{SLUG}/posts/{post['id']}", {"version": 1, "title": "Audited 2"})
        draft = make_draft(cal, title="A contributor's draft")
        eve.ok("POST", f"/pages/{SLUG}/posts/{post['id']}/pin")
        eve.ok("DELETE", f"/pages/{SLUG}/pin")
        eve.ok("POST", f"/pages/{SLUG}/status", {"status": "ended"})
        eve.ok("PUT", f"/pages/{SLUG}/summary", {"points": ["One"]})
        cal.ok("DELETE", f"/pages/{SLUG}/drafts/{draft['id']}", status=204)
        zoe = ada.ok("POST", "/users", {"login": "zoe", "display_name": "Zoe", "role": "editor",
                                        "password": PASSWORD}, 201)["user"]
        ada.ok("PATCH", f"/users/{zoe['id']}", {"role": "contributor"})
        tok = ada.ok("POST", "/tokens", {"login": "zoe", "label": "feed"}, 201)["token"]
        ada.ok("DELETE", f"/tokens/{tok['id']}", status=204)
        cal.ok("POST", "/media", raw=png(64, 64), status=201)
        eve.ok("DELETE", f"/pages/{SLUG}/posts/{post['id']}", status=204)
        assert Browser(srv.base).signin("cal").status == 303
        api_error(cal.post("/pages", {"slug": "x", "title": "x"}), 403, "forbidden")  # not logged

        got = [a for a in ada.ok("GET", "/audit?limit=1000")["audit"] if a["id"] > start]
        got.reverse()
        want = [("Ada Admin", "page.create", page["id"], 0),
                ("Ada Admin", "page.publish", page["id"], 0),
                ("Eve Editor", "post.publish", page["id"], post["id"]),
                ("Eve Editor", "post.edit", page["id"], post["id"]),
                ("Cal Contributor", "draft.create", page["id"], 0),
                ("Eve Editor", "post.pin", page["id"], post["id"]),
                ("Eve Editor", "post.unpin", page["id"], post["id"]),
                ("Eve Editor", "page.status", page["id"], 0),
                ("Eve Editor", "page.summary", page["id"], 0),
                ("Cal Contributor", "draft.delete", page["id"], 0),
                ("Ada Admin", "user.add", 0, 0),
                ("Ada Admin", "user.role", 0, 0),
                ("Ada Admin", "token.create", 0, 0),
                ("Ada Admin", "token.revoke", 0, 0),
                ("Cal Contributor", "media.add", 0, 0),
                ("Eve Editor", "post.delete", page["id"], post["id"]),
                ("Cal Contributor", "auth.signin", 0, 0)]
        assert [(a["user_name"], a["action"], a["page_id"], a["post_id"]) for a in got] == want, \
            [(a["user_name"], a["action"], a["page_id"], a["post_id"]) for a in got]
        assert "Audited" in got[2]["detail"] and "title" in got[3]["detail"], got[2:4]
        assert "zoe" in got[10]["detail"] and "feed" in got[12]["detail"], (got[10], got[12])
        page_only = ada.ok("GET", f"/audit?page={SLUG}")["audit"]
        assert [a["action"] for a in page_only] == [w[1] for w in reversed(want) if w[2]]
        assert len(ada.ok("GET", "/audit?limit=2")["audit"]) == 2


# ---- images -------------------------------------------------------------------------

def exif_with_gps():
    """A big-endian TIFF/EXIF block whose IFD0 points to a GPS IFD (N 51)."""
    ifd0 = struct.pack(">H", 1) + struct.pack(">HHII", 0x8825, 4, 1, 26) + struct.pack(">I", 0)
    gps = (struct.pack(">H", 2) +
           struct.pack(">HHI4s", 0x0000, 1, 4, b"\x02\x02\x00\x00") +
           struct.pack(">HHI4s", 0x0001, 2, 2, b"N\x00\x00\x00") + struct.pack(">I", 0))
    return b"MM\x00\x2a" + struct.pack(">I", 8) + ifd0 + gps + b"GPS 51.5007 N 0.1246 W"


@test
def newsroom_api_media(env):
    tokens = add_staff(env)
    with env.server() as srv:
        _, _, cal = clients(srv, tokens)
        img = png(2000, 1200, chunks=[(b"tEXt", b"Comment\x00GPS 51.5007 N 0.1246 W"),
                                      (b"eXIf", exif_with_gps())])
        assert {"tEXt", "eXIf"} <= set(png_chunk_types(img))
        m = cal.ok("POST", "/media", raw=img, status=201,
                   headers={"Content-Type": "application/octet-stream"})["media"]
        name = sha256_hex(img)[:32]
        assert m["name"] == name and HEX32.fullmatch(name), m
        assert (m["width"], m["height"], m["widths"]) == (1600, 960, [480, 960, 1600]), m
        assert m["url"] == f"/media/{name}-1600.png", m
        files = list_files(media_dir(env))
        assert files == [f"{name}-{w}.png" for w in (1600, 480, 960)], files
        assert all(re.fullmatch(r"[0-9a-f]{32}-\d+\.png", f) for f in files)
        assert count(env, "media") == 1
        assert env.sql("SELECT name, format, width, height FROM media") == \
            [[name, "png", "1600", "960"]]

        for w in (480, 960, 1600):
            r = request(srv.base, "GET", f"/media/{name}-{w}.png")
            assert r.status == 200, (w, r.status)
            assert r.header("content-type") == "image/png", r.headers
            assert "immutable" in r.header("cache-control"), r.headers
            assert r.header("x-content-type-options") == "nosniff"
            kinds = png_chunk_types(r.body)
            assert not {"tEXt", "zTXt", "iTXt", "eXIf", "tIME"} & set(kinds), kinds
            meta = b"".join(c for c in _png_non_pixel_chunks(r.body))
            assert b"GPS" not in meta, meta[:200]
            assert struct.unpack(">II", r.body[16:24]) == (w, w * 3 // 5), (w, r.body[16:24])
            with open(os.path.join(media_dir(env), f"{name}-{w}.png"), "rb") as f:
                assert f.read() == r.body
        r = request(srv.base, "GET", f"/media/{name}-1600.png",
                    headers={"If-None-Match": f'"{name}"'})
        assert r.status == 304 and r.body == b"", r.status

        # The same photo again: the same name, nothing more stored.
        again = cal.ok("POST", "/media", raw=img, status=201)["media"]
        assert again["name"] == name and again["url"] == m["url"]
        assert list_files(media_dir(env)) == files
        assert count(env, "media") == 1

        # Only names the server makes are opened: never a way out of the folder.
        for path in ("/media/../live.db", "/media/..%2flive.db", "/media/%2e%2e/live.db",
                     "/media/%2e%2e%2flive.db", f"/media/{name}-1600.png/../../live.db",
                     "/media/" + "0" * 32 + "-480.png", f"/media/{name}-1601.png",
                     f"/media/{name}-1600.PNG", f"/media/{name}-1600.png.tmp",
                     "/media/", "/media/live.db", "/media//etc/passwd"):
            r = request(srv.base, "GET", path)
            assert r.status == 404, (path, r.status)
            assert not r.body.startswith(b"SQLite format"), path
        r = request(srv.base, "DELETE", f"/media/{name}-480.png")
        assert r.status == 405, r.status
        assert list_files(media_dir(env)) == files


def _png_non_pixel_chunks(data):
    """The data of every chunk but the pixels (IDAT)."""
    i = 8
    while i + 8 <= len(data):
        n, kind = struct.unpack(">I4s", data[i:i + 8])
        if kind != b"IDAT":
            yield data[i + 8:i + 8 + n]
        i += 12 + n


@test
def newsroom_api_media_refused(env):
    tokens = add_staff(env)
    with env.server() as srv:
        ada, eve, cal = clients(srv, tokens)
        make_page(ada)
        make_draft(cal)
        cal.ok("POST", "/media", raw=png(320, 200), status=201)
        before = snapshot(env)
        assert len(before["files"]) == 1
        good = png(300, 200, color=(10, 200, 10))
        cases = (
            ("text", b"hello, this is not an image\n" * 10, 415, "unsupported_media_type"),
            ("HTML", b"<html><script>alert(1)</script></html>", 415, "unsupported_media_type"),
            ("empty", b"", 415, "unsupported_media_type"),
            ("PNG signature only", good[:8], 422, "invalid"),
            ("truncated PNG", good[:len(good) // 2], 422, "invalid"),
            ("PNG with broken pixels", good[:60] + b"\0" * 40 + good[100:], 422, "invalid"),
            ("JPEG start only", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\0" * 100, 422, "invalid"),
            ("56 Mpx", png_header_only(8000, 7000), 413, "too_large"),
            ("30000 px wide", png_header_only(30000, 10), 413, "too_large"),
            ("over 15 MiB", good + os.urandom(15 * 1024 * 1024), 413, "too_large"))
        for name, data, status, code in cases:
            r = cal.post("/media", raw=data, headers={"Content-Type": "image/png"})
            assert r.status == status, (name, r.status, r.body[:300])
            api_error(r, status, code)
            changed = diff(before, snapshot(env))
            assert not changed, f"{name}: changed {changed}"
        # Nothing was left behind, not even a temporary file.
        assert sorted(os.listdir(media_dir(env))) == before["files"]


@test
def newsroom_api_media_folder_option(env):
    tokens = add_staff(env)
    folder = os.path.join(env.dir, "uploads")
    with Server(env.binary, env.db, 1, "--media", folder) as srv:
        cal = Api(srv.base, token=tokens["cal"])
        m = cal.ok("POST", "/media", raw=png(500, 300), status=201)["media"]
        assert list_files(folder) == [f"{m['name']}-480.png", f"{m['name']}-500.png"]
        assert list_files(media_dir(env)) == []
        assert request(srv.base, "GET", m["url"]).status == 200


# ---- the role matrix --------------------------------------------------------------
#
# Each case names a route, how to prepare what it acts on (with the admin's
# and the editor's tokens, so that every try starts from a fresh post, draft,
# user or token), and the status each of anonymous, contributor, editor and
# admin gets. A refused try (4xx) must leave the database and the media folder
# exactly as they were; an allowed one that changes something must add to the
# audit trail.

ROLES = ("anon", "cal", "eve", "ada")
_seq = iter(range(1, 1 << 30))


def _fresh(kind):
    return f"{kind}{next(_seq)}"


class Fixture:
    """What a case acts on, made fresh for each try."""

    def __init__(self, apis):
        self.ada, self.eve, self.cal = apis["ada"], apis["eve"], apis["cal"]

    def post(self):
        return make_post(self.eve, title=_fresh("Post "))

    def draft(self, by):
        return make_draft(getattr(self, by), title=_fresh("Draft "))

    def scheduled_cal_draft(self):
        d = self.draft("cal")
        later = iso(time.time() + 3600)
        return self.eve.ok("PATCH", f"/pages/{SLUG}/drafts/{d['id']}",
                           {"version": d["version"], "publish_at": later})["draft"]

    def user(self):
        return self.ada.ok("POST", "/users", {"login": _fresh("u"), "display_name": "Someone",
                                              "password": PASSWORD, "role": "contributor"},
                           201)["user"]

    def token(self):
        return self.ada.ok("POST", "/tokens", {"login": "cal", "label": _fresh("t")},
                           201)["token"]


def _post_version(f, pid):
    return f.ada.ok("GET", f"/pages/{SLUG}/posts/{pid}")["post"]["version"]


def _api_cases():
    """(name, method, path(ids), body(ids) or None or "image", the statuses of
    (anon, cal, eve, ada), prepare(fixture) -> ids or None)."""
    S = f"/pages/{SLUG}"
    return [
        ("create page", "POST", lambda ids: "/pages",
         lambda ids: {"slug": _fresh("page-"), "title": "New page"}, (401, 403, 403, 201), None),
        ("update page", "PATCH", lambda ids: S, lambda ids: {"title": _fresh("Title ")},
         (401, 403, 403, 200), None),
        ("page status", "POST", lambda ids: S + "/status", lambda ids: {"status": ids["status"]},
         (401, 403, 200, 200), lambda f: {"status": _next_status(f)}),
        ("summary", "PUT", lambda ids: S + "/summary", lambda ids: {"points": [_fresh("Point ")]},
         (401, 403, 200, 200), None),
        ("unpublish page", "POST", lambda ids: S + "/unpublish", None, (401, 403, 200, 200),
         lambda f: _visible(f, True)),
        ("publish page", "POST", lambda ids: S + "/publish", None, (401, 403, 200, 200),
         lambda f: _visible(f, False)),
        ("publish post", "POST", lambda ids: S + "/posts",
         lambda ids: {"title": _fresh("Post "), "body": "x"}, (401, 403, 201, 201), None),
        ("edit post", "PATCH", lambda ids: f"{S}/posts/{ids['post']}",
         lambda ids: {"version": ids["version"], "title": _fresh("Edited ")},
         (401, 403, 200, 200), lambda f: _with_version(f, f.post()["id"])),
        ("delete post", "DELETE", lambda ids: f"{S}/posts/{ids['post']}", None,
         (401, 403, 204, 204), lambda f: {"post": f.post()["id"]}),
        ("pin post", "POST", lambda ids: f"{S}/posts/{ids['post']}/pin", None,
         (401, 403, 200, 200), lambda f: {"post": f.post()["id"]}),
        ("unpin", "DELETE", lambda ids: S + "/pin", None, (401, 403, 200, 200),
         lambda f: _pinned(f)),
        ("create draft", "POST", lambda ids: S + "/drafts",
         lambda ids: {"title": _fresh("Draft "), "body": "x"}, (401, 201, 201, 201), None),
        ("schedule a new draft", "POST", lambda ids: S + "/drafts",
         lambda ids: {"title": _fresh("Sched "), "publish_at": iso(time.time() + 3600)},
         (401, 403, 201, 201), None),
        ("update own draft", "PATCH", lambda ids: f"{S}/drafts/{ids['draft']}",
         lambda ids: {"version": 1, "body": _fresh("Body ")}, (401, 200, 200, 200),
         lambda f: {"draft": f.draft("cal")["id"]}),
        ("update another's draft", "PATCH", lambda ids: f"{S}/drafts/{ids['draft']}",
         lambda ids: {"version": 1, "body": _fresh("Body ")}, (401, 403, 200, 200),
         lambda f: {"draft": f.draft("eve")["id"]}),
        ("schedule own draft", "PATCH", lambda ids: f"{S}/drafts/{ids['draft']}",
         lambda ids: {"version": 1, "publish_at": iso(time.time() + 3600)},
         (401, 403, 200, 200), lambda f: {"draft": f.draft("cal")["id"]}),
        ("update own draft once scheduled", "PATCH", lambda ids: f"{S}/drafts/{ids['draft']}",
         lambda ids: {"version": 2, "body": _fresh("Body ")}, (401, 403, 200, 200),
         lambda f: {"draft": f.scheduled_cal_draft()["id"]}),
        ("delete own draft", "DELETE", lambda ids: f"{S}/drafts/{ids['draft']}", None,
         (401, 204, 204, 204), lambda f: {"draft": f.draft("cal")["id"]}),
        ("delete another's draft", "DELETE", lambda ids: f"{S}/drafts/{ids['draft']}", None,
         (401, 403, 204, 204), lambda f: {"draft": f.draft("eve")["id"]}),
        ("publish own draft", "POST", lambda ids: f"{S}/drafts/{ids['draft']}/publish",
         lambda ids: {"version": 1}, (401, 403, 201, 201),
         lambda f: {"draft": f.draft("cal")["id"]}),
        ("upload image", "POST", lambda ids: "/media", "image", (401, 201, 201, 201), None),
        ("preview", "POST", lambda ids: "/preview", lambda ids: {"body": "x"},
         (401, 200, 200, 200), None),
        ("add user", "POST", lambda ids: "/users",
         lambda ids: {"login": _fresh("n"), "display_name": "N", "password": PASSWORD,
                      "role": "contributor"}, (401, 403, 403, 201), None),
        ("update user", "PATCH", lambda ids: f"/users/{ids['user']}",
         lambda ids: {"role": "editor"}, (401, 403, 403, 200),
         lambda f: {"user": f.user()["id"]}),
        ("disable user", "PATCH", lambda ids: f"/users/{ids['user']}",
         lambda ids: {"disabled": True}, (401, 403, 403, 200),
         lambda f: {"user": f.user()["id"]}),
        ("create token", "POST", lambda ids: "/tokens",
         lambda ids: {"login": "eve", "label": _fresh("l")}, (401, 403, 403, 201), None),
        ("revoke token", "DELETE", lambda ids: f"/tokens/{ids['token']}", None,
         (401, 403, 403, 204), lambda f: {"token": f.token()["id"]}),
        # Reads that only some roles may make.
        ("list users", "GET", lambda ids: "/users", None, (401, 403, 403, 200), None),
        ("list tokens", "GET", lambda ids: "/tokens", None, (401, 403, 403, 200), None),
        ("read audit", "GET", lambda ids: "/audit", None, (401, 403, 200, 200), None),
        ("list drafts", "GET", lambda ids: S + "/drafts", None, (401, 200, 200, 200), None),
        ("revisions", "GET", lambda ids: f"{S}/posts/{ids['post']}/revisions", None,
         (401, 200, 200, 200), lambda f: {"post": f.post()["id"]}),
    ]


def _with_version(f, pid):
    return {"post": pid, "version": _post_version(f, pid)}


def _pinned(f):
    pid = f.post()["id"]
    f.eve.ok("POST", f"/pages/{SLUG}/posts/{pid}/pin")
    return {"post": pid}


def _visible(f, published):
    """Sets the page's visibility, so that the case's own change changes
    something (and is audited)."""
    f.eve.ok("POST", f"/pages/{SLUG}/" + ("publish" if published else "unpublish"))
    return {}


def _next_status(f):
    """A status other than the page's, so that setting it changes something."""
    cur = f.ada.ok("GET", f"/pages/{SLUG}")["page"]["status"]
    return {"upcoming": "live", "live": "ended", "ended": "upcoming"}[cur]


@test
def newsroom_roles_api(env):
    tokens = add_staff(env)
    with env.server() as srv:
        apis = {k: Api(srv.base, token=tokens[k]) for k in ("ada", "eve", "cal")}
        apis["anon"] = Api(srv.base)
        make_page(apis["ada"])
        fx = Fixture(apis)
        failures = []
        colour = iter(range(1, 10000))
        for name, method, path, body, want, prepare in _api_cases():
            for role, status in zip(ROLES, want):
                ids = prepare(fx) if prepare else {}
                url = path(ids)
                before = snapshot(env)
                if body == "image":
                    c = next(colour)
                    r = apis[role].call(method, url, raw=png(64, 48, color=(c % 256, c // 256, 9)))
                else:
                    r = apis[role].call(method, url, body(ids) if body else None)
                after = snapshot(env)
                where = f"{method} /api/v1{url} ({name}) as {role}"
                if r.status != status:
                    failures.append(f"{where}: got {r.status}, want {status}: {r.body[:200]!r}")
                    continue
                if status >= 400:
                    code = {401: "unauthenticated", 403: "forbidden"}[status]
                    try:
                        api_error(r, status, code)
                    except AssertionError as e:
                        failures.append(f"{where}: {e}")
                    if after != before:
                        failures.append(f"{where}: refused, but changed {diff(before, after)}")
                elif method == "GET" or name == "preview":
                    if after != before:
                        failures.append(f"{where}: a read changed {diff(before, after)}")
                elif len(after["audit"]) <= len(before["audit"]):
                    failures.append(f"{where}: allowed, but nothing in the audit trail")
        assert not failures, "\n".join([f"{len(failures)} wrong:"] + failures)


def _form_cases():
    """(name, path(ids), fields(ids), the statuses of (anon, cal, eve, ada),
    prepare(fixture) -> ids or None, () or "image" for a file field)."""
    N = f"/newsroom/{SLUG}"
    post_fields = lambda ids: {"title": _fresh("Form post "), "body": "Text.",  # noqa: E731
                               "action": ids.get("action", "publish")}
    return [
        ("create page", lambda ids: "/newsroom/pages",
         lambda ids: {"title": "A page", "slug": _fresh("form-page-"), "description": "",
                      "zone": "Europe/London", "start": ""}, (401, 403, 403, 303), None, ()),
        ("page status", lambda ids: N + "/status", lambda ids: {"status": ids["status"]},
         (401, 403, 303, 303), lambda f: {"status": _next_status(f)}, ()),
        ("unpublish page", lambda ids: N + "/unpublish", lambda ids: {}, (401, 403, 303, 303),
         lambda f: _visible(f, True), ()),
        ("publish page", lambda ids: N + "/publish", lambda ids: {}, (401, 403, 303, 303),
         lambda f: _visible(f, False), ()),
        ("composer publish", lambda ids: N + "/posts", post_fields, (401, 403, 303, 303),
         lambda f: {"action": "publish"}, ()),
        ("composer publish with an image", lambda ids: N + "/posts",
         lambda ids: {"title": _fresh("Photo "), "body": "", "action": "publish",
                      "image_alt": "A test card", "image_credit": "Us"},
         (401, 403, 303, 303), lambda f: {"action": "publish"}, "image"),
        ("composer draft", lambda ids: N + "/posts", post_fields, (401, 303, 303, 303),
         lambda f: {"action": "draft"}, ()),
        ("composer schedule", lambda ids: N + "/posts",
         lambda ids: {**post_fields(ids), "publish_at": _local_in(3600)},
         (401, 403, 303, 303), lambda f: {"action": "schedule"}, ()),
        ("edit post", lambda ids: f"{N}/posts/{ids['post']}",
         lambda ids: {"title": _fresh("Edited "), "body": "New.", "version": str(ids["version"]),
                      "bylines": "Eve Editor|", "correction": ""},
         (401, 403, 303, 303), lambda f: _with_version(f, f.post()["id"]), ()),
        ("delete post", lambda ids: f"{N}/posts/{ids['post']}/delete", lambda ids: {},
         (401, 403, 303, 303), lambda f: {"post": f.post()["id"]}, ()),
        ("pin post", lambda ids: f"{N}/posts/{ids['post']}/pin", lambda ids: {},
         (401, 403, 303, 303), lambda f: {"post": f.post()["id"]}, ()),
        ("unpin", lambda ids: N + "/unpin", lambda ids: {}, (401, 403, 303, 303),
         lambda f: _pinned(f), ()),
        ("save own draft", lambda ids: f"{N}/drafts/{ids['draft']}",
         lambda ids: {"title": _fresh("Saved "), "body": "B", "version": "1", "action": "draft"},
         (401, 303, 303, 303), lambda f: {"draft": f.draft("cal")["id"]}, ()),
        ("save another's draft", lambda ids: f"{N}/drafts/{ids['draft']}",
         lambda ids: {"title": _fresh("Saved "), "body": "B", "version": "1", "action": "draft"},
         (401, 403, 303, 303), lambda f: {"draft": f.draft("eve")["id"]}, ()),
        ("publish own draft", lambda ids: f"{N}/drafts/{ids['draft']}",
         lambda ids: {"title": _fresh("Out "), "body": "B", "version": "1", "action": "publish"},
         (401, 403, 303, 303), lambda f: {"draft": f.draft("cal")["id"]}, ()),
        ("delete own draft", lambda ids: f"{N}/drafts/{ids['draft']}/delete", lambda ids: {},
         (401, 303, 303, 303), lambda f: {"draft": f.draft("cal")["id"]}, ()),
        ("delete another's draft", lambda ids: f"{N}/drafts/{ids['draft']}/delete",
         lambda ids: {}, (401, 403, 303, 303), lambda f: {"draft": f.draft("eve")["id"]}, ()),
        ("summary", lambda ids: N + "/summary",
         lambda ids: {"points": f"- {_fresh('Point ')}\n", "media_kind": "none"},
         (401, 403, 303, 303), None, ()),
        ("add user", lambda ids: "/newsroom/users",
         lambda ids: {"login": _fresh("f"), "display_name": "F", "byline_name": "",
                      "byline_role": "", "role": "contributor", "password": PASSWORD},
         (401, 403, 403, 303), None, ()),
        ("update user", lambda ids: f"/newsroom/users/{ids['user']}",
         lambda ids: {"role": "editor"}, (401, 403, 403, 303),
         lambda f: {"user": f.user()["id"]}, ()),
        ("create token", lambda ids: "/newsroom/tokens",
         lambda ids: {"login": "eve", "label": _fresh("form ")}, (401, 403, 403, 201), None, ()),
        ("revoke token", lambda ids: f"/newsroom/tokens/{ids['token']}/revoke", lambda ids: {},
         (401, 403, 403, 303), lambda f: {"token": f.token()["id"]}, ()),
        # Last: it ends the sessions the cases above use.
        ("sign out", lambda ids: "/newsroom/signout", lambda ids: {}, (401, 303, 303, 303),
         None, ()),
    ]


def _local_in(seconds):
    """YYYY-MM-DDTHH:MM in Europe/London (the test pages' zone), `seconds` from
    now: what the composer's datetime-local field sends."""
    t = datetime.datetime.now(zoneinfo.ZoneInfo("Europe/London"))
    return (t + datetime.timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M")


@test
def newsroom_roles_forms(env):
    tokens = add_staff(env)
    with env.server() as srv:
        apis = {k: Api(srv.base, token=tokens[k]) for k in ("ada", "eve", "cal")}
        make_page(apis["ada"])
        fx = Fixture(apis)
        browsers = {"anon": Browser(srv.base)}
        for login in ("cal", "eve", "ada"):
            browsers[login] = Browser(srv.base)
            assert browsers[login].signin(login).status == 303, login
        failures = []
        # Pages only some roles may see.
        for path, want in (("/newsroom", (303, 200, 200, 200)),
                           (f"/newsroom/{SLUG}", (303, 200, 200, 200)),
                           ("/newsroom/users", (303, 403, 403, 200)),
                           ("/newsroom/audit", (303, 403, 200, 200))):
            for role, status in zip(ROLES, want):
                r = browsers[role].get(path)
                if r.status != status:
                    failures.append(f"GET {path} as {role}: got {r.status}, want {status}")
        colour = iter(range(1, 10000))
        for name, path, fields, want, prepare, files in _form_cases():
            for role, status in zip(ROLES, want):
                ids = prepare(fx) if prepare else {}
                url = path(ids)
                up = ()
                if files == "image":
                    c = next(colour)
                    up = [("image", "photo.png", "image/png",
                           png(64, 48, color=(c % 256, 7, c // 256)))]
                before = snapshot(env)
                r = browsers[role].post(url, fields(ids), files=up)
                after = snapshot(env)
                where = f"POST {url} ({name}) as {role}"
                if r.status != status:
                    failures.append(f"{where}: got {r.status}, want {status}: "
                                    f"{r.header('location')} {r.body[:200]!r}")
                    continue
                if status >= 400:
                    if "text/html" not in (r.header("content-type") or ""):
                        failures.append(f"{where}: the refusal is not a page")
                    if after != before:
                        failures.append(f"{where}: refused, but changed {diff(before, after)}")
                elif len(after["audit"]) <= len(before["audit"]):
                    failures.append(f"{where}: allowed, but nothing in the audit trail")
        assert not failures, "\n".join([f"{len(failures)} wrong:"] + failures)


# ---- docs/api.md's examples -------------------------------------------------------
#
# Every ```sh block of docs/api.md, run in order by one bash against a real
# server with a new database, each curl made to fail on an error status; every
# call is recorded (its arguments, after the shell expanded them), and every
# route of the API table must have been called at least once.

DOC = os.path.join(ROOT, "docs", "api.md")
DATA_FLAGS = ("-d", "--data", "--data-binary", "--data-urlencode", "--data-raw", "-F", "--form")


def _doc_calls(log, base):
    """(method, path without query) of each recorded curl call."""
    calls = []
    for call in log.split(b"\0CALL\0")[1:]:
        args = [a.decode() for a in call.split(b"\0")]
        method = args[args.index("-X") + 1] if "-X" in args else \
            "POST" if any(a in DATA_FLAGS for a in args) else "GET"
        urls = [a for a in args if a.startswith(base)]
        assert len(urls) == 1, args
        calls.append((method, urls[0][len(base):].split("?")[0]))
    return calls


def _route_regex(path):
    return re.compile(re.escape(path).replace("SLUG", "[a-z0-9-]+").replace("ID", "[0-9]+") + "$")


@test
def newsroom_docs_examples(env):
    text = open(DOC, encoding="utf-8").read()
    blocks = re.findall(r"^```sh\n(.*?)^```$", text, re.M | re.S)
    routes = re.findall(r"^\| `(GET|POST|PUT|PATCH|DELETE) (/api/v1/[^`]*)` \|", text, re.M)
    assert len(routes) == 32 and len(blocks) >= 8, (len(routes), len(blocks))
    script = "\n".join(line for b in blocks for line in b.splitlines()
                       if not re.match(r"(BASE|TOKEN)=", line))
    add_user(env, "ann", "admin", "Ann Editor")
    token = make_token(env, "ann", "docs")
    with open(os.path.join(env.dir, "photo.png"), "wb") as f:
        f.write(png(1200, 800))
    log = os.path.join(env.dir, "calls.bin")
    prelude = ("set -euo pipefail\n"
               "curl() { printf '\\0CALL\\0' >> calls.bin; printf '%s\\0' \"$@\" >> calls.bin;"
               " command curl --fail-with-body \"$@\"; echo; }\n")
    with env.server() as srv:
        p = subprocess.run(["bash", "-c", prelude + script], cwd=env.dir, capture_output=True,
                           timeout=300, env={**os.environ, "BASE": srv.base, "TOKEN": token,
                                             "PASSWORD": PASSWORD})
        out = p.stdout.decode(errors="replace")
        assert p.returncode == 0, (p.returncode, out[-3000:], p.stderr.decode()[-2000:])
        calls = _doc_calls(open(log, "rb").read(), srv.base)
        missing = [f"{m} {path}" for m, path in routes
                   if not any(cm == m and _route_regex(path).match(cp) for cm, cp in calls)]
        assert not missing, "no example calls " + ", ".join(missing)
        # What the examples did, seen through the API.
        ann = Api(srv.base, token=token)
        page = ann.ok("GET", "/pages/budget-2026")["page"]
        assert page["title"] == "Budget 2026: the statement, live" and page["status"] == "live"
        posts = ann.ok("GET", "/pages/budget-2026/posts")["posts"]
        assert [p["title"] for p in posts] == ["The red box", "The Chancellor rises"], posts
        assert posts[1]["correction"].startswith("An earlier version"), posts[1]
        assert posts[0]["blocks"][1]["alt"] == "The Chancellor holding up the red box"
        assert ann.ok("GET", "/pages/budget-2026/drafts")["drafts"] == []
        users = {u["login"]: u for u in ann.ok("GET", "/users")["users"]}
        assert users["sam"]["role"] == "editor"
        assert [t["revoked_at"] is None for t in ann.ok("GET", "/tokens")["tokens"]] == \
            [False, True]
        assert count(env, "sessions", "revoked = 0") == 0  # signed out
        assert '"code":"not_found"' in out, out[-2000:]
        for where in ("/newsroom", "/newsroom/budget-2026?notice=status",
                      "/newsroom/budget-2026?notice=published", "/newsroom/signin"):
            assert f"303 {srv.base}{where}\n" in out, (where, out[-2000:])
