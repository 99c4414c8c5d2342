"""End-to-end tests of the configuration file (issue 19): a server started with
only `--config FILE` listens where the file says and serves the database it
names; flags override the file; every command finds the file's database with
the global --config; `config check` and `serve --check` print the effective
settings or each error as FILE:LINE with exit status 2; the sample config
(etc/liveline.conf) passes and names every key; and the manual pages name
every flag that a --help names and every key the file takes.
"""
import os
import re
import subprocess

from lib import (DEMO, PG_MEDIA, ROOT, SANITIZER_MARKS, Server, curl, missing,
                 test)

SAMPLE = os.path.join(ROOT, "etc", "liveline.conf")
MAN1 = os.path.join(ROOT, "build", "liveline.1")
MAN5_SRC = os.path.join(ROOT, "doc", "liveline.conf.5.scd")
MAN5 = os.path.join(ROOT, "build", "liveline.conf.5")
SQLITE_ONLY = "reads and prints settings; the database is never opened"


class ConfServer(Server):
    """A `liveline serve` started with the arguments given and nothing else
    (no --db, no --listen): what the configuration file says is all it has."""

    def __init__(self, binary, *args, env=None):  # noqa: super() would add --db
        self.start([binary, *args], env=env)


def clean_env(**extra):
    """The environment without LIVELINE_DB and LIVELINE_MEDIA, so that only
    what a test sets counts."""
    env = {k: v for k, v in os.environ.items() if k not in ("LIVELINE_DB", "LIVELINE_MEDIA")}
    env.update(extra)
    return env


def run(binary, *args, env=None):
    p = subprocess.run([binary, *args], capture_output=True, timeout=60,
                       env=env if env is not None else clean_env())
    for mark in SANITIZER_MARKS:
        assert mark.encode() not in p.stderr, p.stderr.decode(errors="replace")
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def write(env, name, text):
    path = os.path.join(env.dir, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def settings(out):
    """`config check`'s output as {key: [values]}, checking its syntax."""
    got = {}
    for line in out.splitlines():
        m = re.fullmatch(r"([a-z][a-z0-9-]*) =(?: (.*))?", line)
        assert m, f"not key = value: {line!r}"
        got.setdefault(m.group(1), []).append(m.group(2) or "")
    return got


def media_line(env):
    """A media key for the test's database: PostgreSQL has no file to put
    the folder beside."""
    return f"media = {PG_MEDIA[env.db]}\n" if env.db in PG_MEDIA else ""


@test
def config_file_alone_starts_the_server(env):
    env.import_capture(DEMO, "harbour", 2026, "Harbour Bridge")
    conf = write(env, "liveline.conf",
                 "# everything the server needs\n"
                 f"db = {env.db}\n" + media_line(env) +
                 "[serve]\n"
                 "listen = 127.0.0.1:0\n"
                 "workers = 1\n")
    with ConfServer(env.binary, "serve", "--config", conf, env=clean_env()) as s:
        assert s.base.startswith("http://127.0.0.1:"), s.base
        r = curl(s.base + "/live/harbour")
        assert r.status == 200, r.status
        assert "Harbour Bridge" in r.text
        assert len(s.workers()) == 1
    # The global form reads the same file: `liveline --config F serve`.
    with ConfServer(env.binary, "--config", conf, "serve", env=clean_env()) as s:
        assert curl(s.base + "/live/harbour").status == 200


@test
def flags_override_the_file(env):
    env.import_capture(DEMO, "harbour", 2026, "Harbour Bridge")
    # The file's address is taken (by us), its workers 3 and its database
    # elsewhere: each flag must win for the server to start as checked.
    conf = write(env, "liveline.conf",
                 "db = /nonexistent/liveline.db\n" + media_line(env) +
                 "listen = 127.0.0.1:1\nworkers = 3\n")
    with ConfServer(env.binary, "--db", env.db, "serve", "--config", conf,
                    "--listen", "127.0.0.1:0", "--workers", "2", env=clean_env()) as s:
        assert curl(s.base + "/live/harbour").status == 200
        assert len(s.workers()) == 2


@test
def file_overrides_environment_and_flag_overrides_both(env):
    env.import_capture(DEMO, "harbour", 2026, "Harbour Bridge")
    other = os.path.join(env.dir, "other.db")
    conf = write(env, "liveline.conf", f"db = {env.db}\n")
    # $LIVELINE_DB names another database: the file's wins.
    code, out, err = run(env.binary, "--config", conf, "list",
                         env=clean_env(LIVELINE_DB=other))
    assert code == 0, err
    assert out.startswith("harbour\t"), out
    # --db wins over the file: that database does not exist.
    code, out, err = run(env.binary, "--config", conf, "--db", other, "list")
    assert code == 1 and "no database" in err, (code, err)
    # Without the file, $LIVELINE_DB counts again.
    code, out, err = run(env.binary, "list", env=clean_env(LIVELINE_DB=other))
    assert code == 1 and other in err, (code, err)


@test(backends=("sqlite",), why=SQLITE_ONLY)
def config_check_prints_the_settings(env):
    conf = write(env, "liveline.conf",
                 "db = postgresql://ann:s3cret@db.example:5433/live\n"
                 "[serve]\n"
                 "workers = 3\n"
                 "trusted-proxy = 10.0.0.0/8\n"
                 "trusted-proxy = ::1\n")
    code, out, err = run(env.binary, "config", "check", "--config", conf)
    assert code == 0, err
    assert "s3cret" not in out + err
    got = settings(out)
    assert got["db"] == ["user=ann password=******** dbname=live host=db.example port=5433"], got
    assert got["workers"] == ["3"]
    assert got["listen"] == ["127.0.0.1:8080"]  # the default
    assert got["trusted-proxy"] == ["10.0.0.0/8", "::1/128"]
    # The global --config, and serve --check with flags on top: a list given
    # on the command line replaces the file's.
    code, out2, err = run(env.binary, "--config", conf, "config", "check")
    assert (code, out2) == (0, out), err
    code, out3, err = run(env.binary, "--config", conf, "serve", "--check",
                          "--workers", "5", "--trusted-proxy", "192.0.2.1")
    assert code == 0, err
    got = settings(out3)
    assert got["workers"] == ["5"]
    assert got["trusted-proxy"] == ["192.0.2.1/32"]
    # Without a file, the defaults, and the database of $LIVELINE_DB.
    code, out, err = run(env.binary, "config", "check",
                         env=clean_env(LIVELINE_DB="/srv/x.db"))
    assert code == 0, err
    got = settings(out)
    assert got["db"] == ["/srv/x.db"] and got["media"] == ["/srv/x.db-media"], got
    assert got["trusted-proxy"] == [""]


@test(backends=("sqlite",), why=SQLITE_ONLY)
def config_errors_name_file_and_line(env):
    conf = write(env, "bad.conf",
                 "db = /srv/live.db\n"
                 "[serve]\n"
                 "workers = 65\n"
                 "wokers = 2\n"
                 "[metrics]\n"
                 "listen = x\n"
                 "[serve]\n"
                 "db = /srv/other.db\n")
    for args in (("config", "check", "--config", conf),
                 ("--config", conf, "config", "check"),
                 ("serve", "--config", conf, "--check"),
                 ("serve", "--config", conf),            # never starts
                 ("--config", conf, "list")):
        code, out, err = run(env.binary, *args)
        assert code == 2, (args, code, err)
        assert out == "", (args, out)
        assert err == (f"{conf}:3: workers is 1 to 64\n"
                       f"{conf}:4: unknown key wokers\n"
                       f"{conf}:6: unknown section [metrics] (keys go at the top or in [serve])\n"
                       f"{conf}:8: db is given twice (first on line 1)\n"), (args, err)
    missing_file = os.path.join(env.dir, "missing.conf")
    code, out, err = run(env.binary, "config", "check", "--config", missing_file)
    assert code == 2 and err == f"{missing_file}: cannot open: No such file or directory\n", err
    code, out, err = run(env.binary, "--config", missing_file, "serve")
    assert code == 2, (code, err)
    # A bad flag on top of a good file is a usage error too.
    good = write(env, "good.conf", "workers = 2\n")
    code, out, err = run(env.binary, "serve", "--config", good, "--check", "--workers", "0")
    assert code == 2 and "--workers is 1 to 64" in err, (code, err)


def check_output(binary, conf):
    code, out, err = run(binary, "config", "check", "--config", conf)
    assert code == 0, err
    return settings(out)


@test(backends=("sqlite",), why=SQLITE_ONLY)
def sample_config_is_valid_and_names_every_key(env):
    got = check_output(env.binary, SAMPLE)
    assert got["db"] == ["/var/lib/liveline/liveline.db"], got
    assert got["media"] == ["/var/lib/liveline/media"]
    assert got["listen"] == ["127.0.0.1:8080"]
    text = open(SAMPLE).read()
    for key in got:
        assert re.search(rf"^#?{re.escape(key)} =", text, re.M), f"{key} is not in {SAMPLE}"
    # Uncommented, every commented line is valid too: the defaults it shows
    # are values the file takes.
    uncommented = write(env, "all.conf", re.sub(r"^#([a-z][a-z0-9-]* =)", r"\1", text,
                                                flags=re.M))
    check_output(env.binary, uncommented)


def help_flags(binary):
    """Every --flag that `liveline --help` and each command's --help name."""
    code, out, _ = run(binary, "--help")
    assert code == 0
    commands = re.findall(r"^  ([a-z]+) ", out.split("Commands:")[1].split("Options:")[0], re.M)
    assert "serve" in commands and "config" in commands, commands
    texts = [out]
    for cmd in commands:
        code, out, err = run(binary, cmd, "--help")
        texts.append(out + err)
    # `user` and `token` print one usage for their subcommands: the help of
    # each subcommand that takes one is asked for too.
    for cmd, subs in (("user", ("add", "passwd")), ("token", ("create",))):
        for sub in subs:
            code, out, err = run(binary, cmd, sub, "--help")
            texts.append(out + err)
    flags = set()
    for t in texts:
        flags |= set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", t))
    return flags


def man_names(path, flag):
    """Whether the built page (roff) names `flag`, font changes taken out."""
    text = re.sub(r"\\f[BIRP]|\\&", "", open(path, encoding="utf-8").read())
    return re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", text) is not None


@test(backends=("sqlite",), why="reads the manual pages and --help only")
def manual_names_every_flag_and_key(env):
    for path in (MAN1, MAN5):
        if not os.path.exists(path):
            raise missing(f"{path} is not built (make builds it)")
    flags = help_flags(env.binary)
    # A sanity check of the extraction itself: these must be found.
    assert {"--db", "--config", "--listen", "--trusted-proxy", "--password-stdin",
            "--label", "--to", "--check"} <= flags, flags
    absent = sorted(f for f in flags if not man_names(MAN1, f))
    assert not absent, f"liveline(1) does not name {absent}"
    # Every key config check prints is in liveline.conf(5), and is a
    # flag of serve (but db, a global option).
    keys = check_output(env.binary, write(env, "empty.conf", ""))
    serve_help = run(env.binary, "serve", "--help")[1]
    for key in keys:
        assert man_names(MAN5, key), f"liveline.conf(5) does not name {key}"
        assert key == "db" or f"--{key}" in serve_help, key
    # Every flag of serve's is a key config check prints (other than the
    # flags about the file itself), so a new flag has a printed value.
    serve_flags = set(re.findall(r"(?<![\w-])--([a-z][a-z0-9-]*)", serve_help))
    unprinted = sorted(serve_flags - set(keys) - {"config", "check", "help", "db"})
    assert not unprinted, f"config check does not print {unprinted}"
    # Every key liveline.conf(5) documents is one the file takes.
    documented = re.findall(r"^\*([a-z][a-z0-9-]*)\* = ", open(MAN5_SRC).read(), re.M)
    assert set(documented) >= set(keys), (documented, keys)
    conf = write(env, "keys.conf", "".join(f"{k} = 1\n" for k in documented))
    code, out, err = run(env.binary, "config", "check", "--config", conf)
    assert "unknown key" not in err, err
