"""End-to-end tests of the range of times Liveline takes (model_time_sane:
from 2000-01-01 to a year from now): a post's publication time, a schedule and
a page's planned start, through the API, the forms and the command line.
Before, "0001-01-01T00:00:00Z" was stored and shown as "0-12-30T00:00:00Z", and
a year-9999 post stayed on top of its page for good.
"""
import datetime
import json
import time

from lib import (DEMO, Api, Browser, add_staff, api_error, request, test)

SLUG = "times"
OUT_OF_RANGE = ("0001-01-01T00:00:00Z", "1999-12-31T23:59:59Z", "9999-12-31T23:59:00Z",
                "1970-01-01T00:00:00Z")


def iso(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


@test
def times_out_of_range_refused_by_api_and_forms(env):
    tokens = add_staff(env)
    with env.server() as srv:
        ada = Api(srv.base, token=tokens["ada"])
        eve = Api(srv.base, token=tokens["eve"])
        ada.ok("POST", "/pages", {"slug": SLUG, "title": "Times"}, 201)
        eve.call("POST", f"/pages/{SLUG}/publish")  # checked in test_embargo
        far = iso(time.time() + 400 * 86400)
        for when in OUT_OF_RANGE + (far,):
            r = eve.post(f"/pages/{SLUG}/posts", {"title": "Odd", "body": "x",
                                                  "published_at": when})
            api_error(r, 422, "invalid")
            assert "2000-01-01" in r.json()["error"]["message"], r.json()
            api_error(eve.post(f"/pages/{SLUG}/drafts", {"title": "Odd", "publish_at": when}),
                      422, "invalid")
            api_error(ada.patch(f"/pages/{SLUG}", {"start_at": when}), 422, "invalid")
            api_error(eve.post("/preview", {"body": "x", "published_at": when}), 422, "invalid")
        post = eve.ok("POST", f"/pages/{SLUG}/posts", {"title": "Fine", "body": "x"}, 201)["post"]
        api_error(eve.patch(f"/pages/{SLUG}/posts/{post['id']}",
                            {"version": 1, "published_at": "0001-01-01T00:00:00Z"}),
                  422, "invalid")
        # The edges: 2000-01-01 itself, and half a year ahead, are fine.
        eve.ok("POST", f"/pages/{SLUG}/posts", {"title": "Y2K", "body": "x",
                                                "published_at": "2000-01-01T00:00:00Z"}, 201)
        eve.ok("POST", f"/pages/{SLUG}/drafts", {"title": "Later", "body": "x",
                                                 "publish_at": iso(time.time() + 180 * 86400)},
               201)
        titles = [p["title"] for p in eve.ok("GET", f"/pages/{SLUG}/posts")["posts"]]
        assert titles == ["Fine", "Y2K"], titles
        page = request(srv.base, "GET", f"/live/{SLUG}").text
        assert "Odd" not in page and "0-12-30" not in page

        # The composer's schedule field.
        b = Browser(srv.base)
        assert b.signin("eve").status == 303
        b.get(f"/newsroom/{SLUG}")
        r = b.post(f"/newsroom/{SLUG}/posts", {"title": "Form odd", "body": "x",
                                               "action": "schedule",
                                               "publish_at": "9999-12-31T23:59"})
        assert r.status == 422 and "2000-01-01" in r.text, (r.status, r.text[-400:])
        assert "Form odd" not in json.dumps(eve.ok("GET", f"/pages/{SLUG}/drafts"))


@test
def times_out_of_range_refused_by_the_command_line(env):
    env.import_capture(DEMO, "demo", 2026)
    for when in OUT_OF_RANGE:
        p = env.cli.run("post", "demo", "--title", "Odd", "--time", when, stdin=b"x\n")
        assert p.returncode == 2, (when, p.returncode)
        assert b"2000-01-01" in p.stderr, p.stderr
    p = env.cli.run("post", "demo", "--title", "Fine", "--time", "2025-06-12T10:00",
                    stdin=b"x\n", check=0)
    out = json.loads(env.cli.run("export", "--format", "json", "demo", check=0).stdout)
    assert "Odd" not in [q["title"] for q in out["posts"]]
    this_year = datetime.datetime.now(datetime.timezone.utc).year
    for year in (1, 1999, this_year + 2, 9999):
        p = env.cli.run("import", "--year", str(year), "--slug", f"y{year}", DEMO)
        assert p.returncode == 2, (year, p.returncode, p.stderr)
        assert b"2000-01-01" in p.stderr, p.stderr
    for year in (2000, this_year):
        env.cli.run("import", "--year", str(year), "--slug", f"y{year}", DEMO, check=0)
