"""`liveline backup FILE`: a consistent copy of a live SQLite database, taken
while a server publishes, with its images. The copy is one instant of the
database (the posts it holds are exactly the first ones published, each page's
change log has no gap), and once the writing stops a backup restores to the
same pages: every page exported from the copy is byte-identical to the
original's, and a server on the copy serves every image, from the copied
folder and from the database alone. It never replaces a file. On PostgreSQL
the command points to pg_dump, and the pg_dump/pg_restore round trip that
docs/operations.md gives restores every page too."""
import glob
import json
import os
import shutil
import subprocess
import threading

from lib import DEMO, Api, Cli, Server, add_staff, database_drop, database_new, list_files, \
    png, request, sql, sql_one, test


def media_folder(env):
    return os.path.join(env.dir, "media")


def pages(cli):
    out = cli.run("list", check=0).stdout.decode()
    return [line.split("\t")[0] for line in out.splitlines()]


def exports(cli):
    return {slug: cli.run("export", slug, check=0).stdout for slug in pages(cli)}


def fill(env, srv, tokens):
    """A page with a post holding an uploaded image; returns the image's files."""
    eve = Api(srv.base, tokens["eve"])
    m = Api(srv.base, tokens["cal"]).ok("POST", "/media", raw=png(900, 500), status=201,
                                        headers={"Content-Type": "image/png"})["media"]
    Api(srv.base, tokens["ada"]).ok("POST", "/pages", {
        "slug": "vote", "title": "The vote", "zone": "Europe/Paris"}, status=201)
    eve.ok("POST", "/pages/vote/publish", status=200)
    eve.ok("POST", "/pages/vote/posts", {
        "title": "Polls open",
        "body": f"Queues already.\n\n![The queue]({m['url']} \"At 07:58\")\n"}, status=201)
    return [f"{m['name']}-{w}.png" for w in m["widths"]]


@test(backends=("sqlite",), why="SQLite's online backup; PostgreSQL's is pg_dump (below)")
def backup_while_publishing_is_one_instant_and_restores(env):
    tokens = add_staff(env)
    env.import_capture(DEMO, "harbour", 2026, "Harbour")
    backup = os.path.join(env.dir, "during.db")
    published, stop, errors = [], threading.Event(), []
    with Server(env.binary, env.db, 2, "--media", media_folder(env)) as srv:
        files = fill(env, srv, tokens)
        eve = Api(srv.base, tokens["eve"])

        def publish():
            for i in range(1, 400):  # bounded: the backup ends long before
                if stop.is_set():
                    return
                r = eve.post("/pages/vote/posts", {"title": f"Tick {i}", "body": f"Count {i}."})
                if r.status != 201:
                    errors.append((r.status, r.body[:200]))
                    return
                published.append(i)

        writer = threading.Thread(target=publish)
        writer.start()
        try:
            while len(published) < 5 and writer.is_alive():
                stop.wait(0.02)
            p = env.cli.run("backup", backup, "--media", media_folder(env))
            at_backup = len(published)
        finally:
            stop.set()
            writer.join(timeout=60)
        assert not errors, errors
        assert p.returncode == 0, p.stderr.decode()
        assert "checked" in p.stdout.decode(), p.stdout
        assert at_backup < len(published) or len(published) == 399
        # Only the whole file is left: no temporary copy beside it.
        assert glob.glob(backup + ".partial*") == []

        # One instant: the posts in the copy are exactly Tick 1..K, no gap,
        # and every post of the page has its change; the page's sequence
        # counts them all.
        copy = Cli(env.binary, backup)
        doc = json.loads(copy.run("export", "--format", "json", "vote", check=0).stdout)
        ticks = sorted(int(p["title"].split()[1]) for p in doc["posts"]
                       if p["title"].startswith("Tick "))
        assert ticks == list(range(1, len(ticks) + 1)), ticks
        assert len(ticks) >= 5
        seqs = [int(r[0]) for r in sql(backup, "SELECT seq FROM changes WHERE page_id = "
                                       "(SELECT id FROM pages WHERE slug = 'vote') ORDER BY seq")]
        assert seqs == list(range(1, len(seqs) + 1)), seqs
        assert int(sql_one(backup, "SELECT last_seq FROM pages WHERE slug = 'vote'")) == len(seqs)

        # With the writing stopped, a second backup restores every page
        # byte for byte.
        idle = os.path.join(env.dir, "idle.db")
        p = env.cli.run("backup", idle, "--media", media_folder(env))
        assert p.returncode == 0, p.stderr.decode()
        original = {name: request(srv.base, "GET", "/media/" + name).body for name in files}
    assert exports(Cli(env.binary, idle)) == exports(env.cli)
    assert sorted(exports(env.cli)) == ["harbour", "vote"]
    # The images: copied beside it (FILE-media, serve's default folder)...
    assert set(files) <= set(list_files(idle + "-media"))
    with Server(env.binary, idle, 1) as srv:
        for name, data in original.items():
            r = request(srv.base, "GET", "/media/" + name)
            assert r.status == 200 and r.body == data, (name, r.status)
        assert request(srv.base, "GET", "/live/vote").status == 200
    # ...and in the database itself: a server on the copy with an empty
    # folder serves them too.
    shutil.rmtree(idle + "-media")
    empty = os.path.join(env.dir, "empty-media")
    with Server(env.binary, idle, 1, "--media", empty) as srv:
        for name, data in original.items():
            r = request(srv.base, "GET", "/media/" + name)
            assert r.status == 200 and r.body == data, (name, r.status)


@test(backends=("sqlite",), why="SQLite's online backup; PostgreSQL refuses (below)")
def backup_never_replaces(env):
    env.import_capture(DEMO, "harbour", 2026, "Harbour")
    target = os.path.join(env.dir, "there.db")
    with open(target, "wb") as f:
        f.write(b"an operator's file")
    p = env.cli.run("backup", target)
    assert p.returncode == 1 and b"exists" in p.stderr, p.stderr
    with open(target, "rb") as f:
        assert f.read() == b"an operator's file"
    # A media folder already holding files is refused before anything is written.
    fresh = os.path.join(env.dir, "fresh.db")
    os.makedirs(fresh + "-media")
    with open(os.path.join(fresh + "-media", "x.png"), "wb") as f:
        f.write(b"x")
    p = env.cli.run("backup", fresh)
    assert p.returncode == 1 and b"holds files" in p.stderr, p.stderr
    assert not os.path.exists(fresh)
    # Usage: exactly one FILE.
    assert env.cli.run("backup").returncode == 2
    assert env.cli.run("backup", "a.db", "b.db").returncode == 2


@test(backends=("pg",), why="what PostgreSQL does instead of SQLite's online backup")
def postgresql_backup_is_pg_dump(env):
    env.import_capture(DEMO, "harbour", 2026, "Harbour")
    p = env.cli.run("backup", os.path.join(env.dir, "x.db"))
    assert p.returncode == 1 and b"pg_dump" in p.stderr, p.stderr
    assert not os.path.exists(os.path.join(env.dir, "x.db"))
    # The round trip docs/operations.md gives: pg_dump --format=custom, then
    # pg_restore into an empty database; every page exports the same.
    dump = os.path.join(env.dir, "live.dump")
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", dump, "--dbname",
                    env.db], check=True, capture_output=True, timeout=120)
    restored = database_new("pg", os.path.join(env.dir, "restored"))
    try:
        subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "--dbname", restored,
                        dump], check=True, capture_output=True, timeout=120)
        assert exports(Cli(env.binary, restored)) == exports(env.cli)
    finally:
        database_drop(restored)
