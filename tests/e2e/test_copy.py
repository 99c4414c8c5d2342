"""`liveline copy --to TARGET`: a SQLite database with pages (one imported
from the demo capture), posts, people, a session-less API token, an uploaded
image in a post and a pin is copied into a new database (SQLite, and
PostgreSQL when LIVELINE_TEST_PG names a cluster); a server on the copy, with
a media folder that starts empty, serves every page, feed and image
byte-identical to the source's server, and the token still works. A target
that is not empty is refused; an older database's images are read from its
folder, and one missing there fails the copy and names it, leaving the target
empty."""
import json
import os
import re
import subprocess
import urllib.parse
import uuid

from lib import DEMO, Api, Cli, Server, add_staff, list_files, missing, png, request, sql, test

BASE = ("--public-base-url", "https://live.example")  # both servers' links name it


def media_folder(env):
    """The source's media folder, named on every command, so that the test
    knows it whatever the backend's default."""
    return os.path.join(env.dir, "media")


def source_server(env):
    return Server(env.binary, env.db, 2, "--media", media_folder(env), *BASE)


def fill(env, tokens):
    """Pages, posts, an image in a post, a pin, a draft; returns the image's
    file names."""
    env.import_capture(DEMO, "harbour", 2026, "Harbour")
    with source_server(env) as srv:
        eve = Api(srv.base, tokens["eve"])
        m = Api(srv.base, tokens["cal"]).ok("POST", "/media", raw=png(1100, 600), status=201,
                                            headers={"Content-Type": "image/png"})["media"]
        Api(srv.base, tokens["ada"]).ok("POST", "/pages", {
            "slug": "summit", "title": "The summit", "zone": "Europe/Paris"}, status=201)
        eve.ok("POST", "/pages/summit/publish", status=200)
        post = eve.ok("POST", "/pages/summit/posts", {
            "title": "Leaders arrive",
            "body": f"The motorcade is here.\n\n![Cars at the gate]({m['url']} \"At 10:02\")\n"
                    "Image source: Liveline Photos\n"}, status=201)["post"]
        eve.ok("POST", "/pages/summit/posts", {"title": "Talks begin", "body": "Doors shut."},
               status=201)
        eve.ok("POST", f"/pages/summit/posts/{post['id']}/pin", status=200)
        eve.ok("POST", "/pages/summit/drafts", {"title": "Later", "body": "Not yet."},
               status=201)
    return [f"{m['name']}-{w}.png" for w in m["widths"]]


def pages(env):
    out = env.cli.run("list", check=0).stdout.decode()
    return [line.split("\t")[0] for line in out.splitlines()]


def addresses(env):
    """Every reader's address of every page, and the index."""
    out = ["/"]
    for slug in pages(env):
        out += [f"/live/{slug}", f"/live/{slug}?page=1", f"/live/{slug}.txt",
                f"/live/{slug}/feed.atom", f"/live/{slug}/feed.rss", f"/live/{slug}/feed.json"]
        doc = json.loads(env.cli.run("export", "--format", "json", slug, check=0).stdout)
        out += [f"/live/{slug}/posts/{p['id']}" for p in doc["posts"]]
    return out


def copy_and_compare(env, target):
    tokens = add_staff(env)
    files = fill(env, tokens)
    p = env.cli.run("copy", "--to", target, "--media", media_folder(env))
    report = p.stdout.decode()
    assert p.returncode == 0, (report, p.stderr.decode(errors="replace"))
    assert "the copy matches the source" in report, report
    assert re.search(r"2 of 2 pages export byte-identical", report), report
    assert re.search(r"media_files\s+3 rows ok", report), report
    for slug in pages(env):  # the command line reads the copy as the source
        assert Cli(env.binary, target).run("export", slug, check=0).stdout == \
            env.cli.run("export", slug, check=0).stdout, slug
    cache = os.path.join(env.dir, "copy-cache")
    with source_server(env) as a, Server(env.binary, target, 2, "--media", cache, *BASE) as b:
        paths = addresses(env)
        assert len(paths) > 20, paths
        for path in paths:
            ra, rb = request(a.base, "GET", path), request(b.base, "GET", path)
            assert ra.status == 200, (path, ra.status)
            assert (rb.status, rb.body) == (ra.status, ra.body), path
        for name in files:
            ra, rb = request(a.base, "GET", "/media/" + name), \
                request(b.base, "GET", "/media/" + name)
            assert ra.status == 200 and rb.status == 200 and rb.body == ra.body, name
        assert list_files(cache) == sorted(files)
        # The token made on the command line before the copy works on it.
        doc = Api(b.base, tokens["eve"]).ok("GET", "/pages")
        assert sorted(p["slug"] for p in doc["pages"]) == ["harbour", "summit"], doc


@test
def copy_sqlite_to_sqlite(env):
    copy_and_compare(env, os.path.join(env.dir, "copy.db"))


def pg_database():
    """A new, empty database in the cluster LIVELINE_TEST_PG names: its URI,
    and how to drop it."""
    server = os.environ.get("LIVELINE_TEST_PG", "")
    if not server:
        raise missing("LIVELINE_TEST_PG is not set: no PostgreSQL to copy into")
    name = "liveline_copy_" + uuid.uuid4().hex[:12]
    psql = lambda uri, q: subprocess.run(  # noqa: E731
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", uri, "-c", q],
        capture_output=True, timeout=60, check=True)
    psql(server, f"CREATE DATABASE {name}")
    u = urllib.parse.urlsplit(server)
    uri = f"{u.scheme}://{u.netloc}/{name}" + (f"?{u.query}" if u.query else "")
    return uri, lambda: psql(server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@test
def copy_sqlite_to_postgresql(env):
    uri, drop = pg_database()
    try:
        copy_and_compare(env, uri)
    finally:
        drop()


@test
def copy_refuses_a_target_in_use(env):
    tokens = add_staff(env)
    fill(env, tokens)
    target = os.path.join(env.dir, "used.db")
    Cli(env.binary, target).run("import", "--year", "2026", "--slug", "other", DEMO, check=0)
    before = Cli(env.binary, target).run("list", check=0).stdout
    p = env.cli.run("copy", "--to", target)
    assert p.returncode == 1, p
    assert b"the target is not empty" in p.stderr and b"nothing was copied" in p.stderr, p.stderr
    assert Cli(env.binary, target).run("list", check=0).stdout == before
    # Usage errors.
    assert env.cli.run("copy").returncode == 2
    assert env.cli.run("copy", "--to", env.db).returncode == 2
    assert env.cli.run("copy", "--to", target, "extra").returncode == 2


@test
def copy_reads_an_older_databases_images_from_its_folder(env):
    tokens = add_staff(env)
    files = fill(env, tokens)
    # A database from before the store kept images: only the folder has them.
    sql(env.db, "DELETE FROM media_files")
    kept = os.path.join(env.dir, "kept")
    os.rename(media_folder(env), kept)
    target = os.path.join(env.dir, "copy.db")
    p = env.cli.run("copy", "--to", target, "--media", media_folder(env))  # gone
    assert p.returncode == 1, p
    named = [name for name in files if name.encode() in p.stderr]
    assert len(named) == 1 and b"nothing was copied" in p.stderr, p.stderr
    assert int(sql(target, "SELECT count(*) FROM pages")[0][0]) == 0
    assert int(sql(target, "SELECT count(*) FROM users")[0][0]) == 0

    p = env.cli.run("copy", "--to", target, "--media", kept)
    assert p.returncode == 0, (p.stdout, p.stderr)
    assert b"3 image files read from " + kept.encode() in p.stdout, p.stdout
    cache = os.path.join(env.dir, "copy-cache")
    with Server(env.binary, target, 1, "--media", cache) as b:
        for name in files:
            with open(os.path.join(kept, name), "rb") as f:
                assert request(b.base, "GET", "/media/" + name).body == f.read(), name
