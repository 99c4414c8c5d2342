"""End-to-end tests of the people commands on the command line: `user add`,
`list`, `set-role`, `disable`, `enable`, `passwd`, and `token create`, `list`,
`revoke`. What they store is read back from the database (env.sql(): a
password only as an Argon2id hash, a token only as its SHA-256), and what they
mean is checked against a running server: the password signs in, the token
calls the API, and neither works once changed, disabled or revoked.
"""
import os
import pty
import re
import select
import subprocess
import time

from lib import ROOT, Api, Browser, add_user, sha256_hex, test

PW = "correct horse battery staple"
ROLES = ("contributor", "editor", "admin")
ISO = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"


def users(env):
    """`user list` as rows of its tab-separated columns."""
    out = env.cli.run("user", "list", check=0).stdout.decode()
    return [line.split("\t") for line in out.splitlines()]


def user_row(env, login):
    rows = [r for r in users(env) if r[0] == login]
    assert len(rows) == 1, (login, users(env))
    return rows[0]


def pw_hash(env, login):
    return env.sql_one(f"SELECT pw_hash FROM users WHERE login = '{login}'")


def err(p):
    return p.stderr.decode(errors="replace")


@test
def cli_users_add_and_list(env):
    p = add_user(env, "ann", "editor", "Ann Editor", PW, byline_role="Live editor")
    assert re.fullmatch(rb"added ann \(editor\), id [0-9]+\n", p.stdout), p.stdout
    # --name is optional: the login stands in.
    env.cli.run("user", "add", "bo.b_2-x", "--password-stdin", "--role", "contributor",
                stdin=(PW + "\n").encode(), check=0)
    # The password may come without a final newline, and be any script.
    env.cli.run("user", "add", "cy", "--role", "admin", "--name", "Cy \u00c5dmin \u2014 Kyiv",
                "--password-stdin", stdin="\u043f\u0430\u0440\u043e\u043b\u044c-\u2116-"
                "\u043e\u0434\u0438\u043d".encode(), check=0)

    rows = users(env)
    assert [r[0] for r in rows] == ["ann", "bo.b_2-x", "cy"], rows  # by login
    assert all(len(r) == 5 for r in rows), rows
    ann = user_row(env, "ann")
    assert ann[1:3] == ["editor", "enabled"], ann
    assert re.fullmatch(ISO, ann[3]), ann
    assert ann[4] == "Ann Editor", ann
    assert user_row(env, "bo.b_2-x")[1:3] == ["contributor", "enabled"]
    assert user_row(env, "bo.b_2-x")[4] == "bo.b_2-x"
    assert user_row(env, "cy")[4] == "Cy \u00c5dmin \u2014 Kyiv"

    # What the store holds: the byline role, and the password only as a hash.
    assert env.sql("SELECT display_name, byline_role, role FROM users WHERE login = 'ann'") \
        == [["Ann Editor", "Live editor", "1"]]
    for login in ("ann", "bo.b_2-x", "cy"):
        h = pw_hash(env, login)
        assert h.startswith("$argon2id$v=19$"), h
        assert PW not in h and "correct" not in h
    assert pw_hash(env, "ann") != pw_hash(env, "bo.b_2-x")  # salted
    assert PW.encode() not in env.dump()


@test
def cli_users_bad_input(env):
    add_user(env, "ann", "editor", "Ann Editor", PW)
    before = users(env)
    hash_before = pw_hash(env, "ann")

    def refused(status, args, stdin=(PW + "\n").encode(), says=()):
        p = env.cli.run(*args, stdin=stdin)
        assert p.returncode == status, (args, p.returncode, err(p))
        for s in says:
            assert s in err(p), (args, s, err(p))
        assert p.stdout == b"", (args, p.stdout)
        return p

    # A taken login, whatever the role.
    refused(1, ("user", "add", "ann", "--role", "admin", "--password-stdin"),
            says=('"ann" is taken',))
    # Unknown role: a usage error that names the roles.
    p = refused(2, ("user", "add", "zoe", "--role", "boss", "--password-stdin"),
                says=('unknown role "boss"',))
    assert all(r in err(p) for r in ROLES), err(p)
    refused(2, ("user", "set-role", "ann", "Editor"), says=("contributor, editor or admin",))
    # Usage: no role, no login, two logins, an unknown option.
    refused(2, ("user", "add", "zoe", "--password-stdin"), says=("usage:",))
    refused(2, ("user", "add", "--role", "editor", "--password-stdin"), says=("usage:",))
    refused(2, ("user", "add", "zoe", "zed", "--role", "editor", "--password-stdin"))
    refused(2, ("user", "add", "zoe", "--role", "editor", "--colour", "red"))
    refused(2, ("user",), says=("usage:",))
    refused(2, ("user", "rename", "ann", "bob"), says=("usage:",))
    refused(2, ("user", "disable"), says=("usage:",))
    refused(2, ("user", "set-role", "ann"), says=("usage:",))
    refused(2, ("user", "disable", "ann", "--password-stdin"), says=("usage:",))
    # Logins: a-z, 0-9, '.', '_', '-', 1 to 64.
    for bad in ("Ann", "a b", "", "\u00e9", "x" * 65, "a/b"):
        refused(2, ("user", "add", bad, "--role", "editor", "--password-stdin"),
                says=("a login is 1 to 64 characters",))
    # Names and roles are one line of text.
    refused(2, ("user", "add", "zoe", "--role", "editor", "--name", "Zoe\nEvil",
                "--password-stdin"), says=("--name",))
    refused(2, ("user", "add", "zoe", "--role", "editor", "--name", "   ",
                "--password-stdin"), says=("--name must not be empty",))
    refused(2, ("user", "add", "zoe", "--role", "editor", "--byline-role", "a\tb",
                "--password-stdin"), says=("--byline-role",))
    refused(2, ("user", "add", "zoe", "--role", "editor", "--name", "x" * 201,
                "--password-stdin"), says=("longer than 200",))
    # Passwords: too short (in characters), missing, not from a terminal.
    refused(1, ("user", "add", "zoe", "--role", "editor", "--password-stdin"),
            stdin=b"short pw\n", says=("at least 10 characters",))
    refused(1, ("user", "add", "zoe", "--role", "editor", "--password-stdin"),
            stdin="\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\n".encode(),
            says=("at least 10 characters",))  # 18 bytes, 9 characters
    refused(1, ("user", "add", "zoe", "--role", "editor", "--password-stdin"),
            stdin=b"", says=("no password",))
    refused(1, ("user", "add", "zoe", "--role", "editor", "--password-stdin"),
            stdin=b"x" * 2000 + b"\n")
    refused(1, ("user", "add", "zoe", "--role", "editor"),
            says=("not a terminal", "--password-stdin"))
    # Unknown logins.
    for args in (("user", "set-role", "nobody", "editor"), ("user", "disable", "nobody"),
                 ("user", "enable", "nobody"), ("user", "passwd", "nobody", "--password-stdin"),
                 ("token", "create", "nobody", "--label", "x")):
        refused(1, args, says=('no user "nobody"',))
    # A short new password changes nothing.
    refused(1, ("user", "passwd", "ann", "--password-stdin"), stdin=b"too short\n",
            says=("at least 10 characters",))

    assert users(env) == before
    assert pw_hash(env, "ann") == hash_before
    assert env.sql_one("SELECT count(*) FROM users") == "1"


@test
def cli_users_changes(env):
    add_user(env, "ann", "editor", "Ann Editor", PW)
    add_user(env, "bob", "contributor", "Bob", PW)

    p = env.cli.run("user", "set-role", "ann", "admin", check=0)
    assert p.stdout == b"ann is now admin\n"
    assert user_row(env, "ann")[1] == "admin"
    p = env.cli.run("user", "set-role", "ann", "admin", check=0)
    assert p.stdout == b"ann is already admin\n"
    for role in ROLES:
        env.cli.run("user", "set-role", "bob", role, check=0)
        assert user_row(env, "bob")[1] == role
        assert user_row(env, "ann")[1] == "admin"  # only bob changes

    p = env.cli.run("user", "disable", "bob", check=0)
    assert b"bob disabled" in p.stdout
    assert user_row(env, "bob")[2] == "disabled"
    assert user_row(env, "ann")[2] == "enabled"
    assert b"already disabled" in env.cli.run("user", "disable", "bob", check=0).stdout
    env.cli.run("user", "enable", "bob", check=0)
    assert user_row(env, "bob")[2] == "enabled"
    assert b"already enabled" in env.cli.run("user", "enable", "bob", check=0).stdout

    old = pw_hash(env, "bob")
    new_pw = "a brand new passphrase"
    p = env.cli.run("user", "passwd", "--password-stdin", "bob",
                    stdin=(new_pw + "\n").encode(), check=0)
    assert p.stdout == b"bob has a new password\n"
    new = pw_hash(env, "bob")
    assert new != old and new.startswith("$argon2id$") and new_pw not in new
    assert pw_hash(env, "ann") != new

    # Every change is in the audit trail, by the command line (user 0); what
    # changed nothing (the role a user has, disabling the disabled) is not.
    assert env.sql("SELECT action, user_id FROM audit ORDER BY id") == [
        ["user.add", "0"], ["user.add", "0"], ["user.role", "0"], ["user.role", "0"],
        ["user.role", "0"], ["user.disable", "0"], ["user.enable", "0"],
        ["user.password", "0"]]


@test
def cli_tokens(env):
    add_user(env, "ann", "editor", "Ann Editor", PW)
    add_user(env, "bob", "contributor", "Bob", PW)

    p = env.cli.run("token", "create", "ann", "--label", "wire importer", check=0)
    token = p.stdout.decode().strip()
    assert p.stdout.count(b"\n") == 1, p.stdout  # the token alone on stdout, once
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token), token
    assert "shown only now" in err(p) and token not in err(p), err(p)
    tid = int(re.search(r"token ([0-9]+)", err(p)).group(1))
    token2 = env.cli.run("token", "create", "bob", "--label", "bob's script",
                         check=0).stdout.decode().strip()
    assert token2 != token

    listing = env.cli.run("token", "list", check=0).stdout.decode()
    assert token not in listing and token2 not in listing, listing
    rows = [line.split("\t") for line in listing.splitlines()]
    assert len(rows) == 2, rows
    first = [r for r in rows if r[0] == str(tid)][0]
    assert first[1] == "ann" and re.fullmatch(ISO, first[2]) and first[3] == "valid"
    assert first[4] == "wire importer"

    # The store keeps the SHA-256 of the token, never the token.
    assert env.sql(f"SELECT lower(hex(token_hash)) FROM api_tokens WHERE id = {tid}",
                   pg=f"SELECT encode(token_hash, 'hex') FROM api_tokens WHERE id = {tid}") \
        == [[sha256_hex(token.encode())]]
    assert token.encode() not in env.dump()

    # Bad input.
    for args, status in ((("token", "create", "ann"), 2),
                         (("token", "create", "ann", "--label", ""), 2),
                         (("token", "create", "ann", "--label", "two\nlines"), 2),
                         (("token", "create", "--label", "x"), 2),
                         (("token", "revoke", "abc"), 2),
                         (("token", "revoke", "0"), 2),
                         (("token", "revoke", "999"), 1),
                         (("token", "remove", "1"), 2),
                         (("token",), 2)):
        q = env.cli.run(*args)
        assert q.returncode == status, (args, q.returncode, err(q))
        assert q.stdout == b"", (args, q.stdout)
    assert len(env.cli.run("token", "list", check=0).stdout.splitlines()) == 2

    env.cli.run("token", "revoke", str(tid), check=0)
    env.cli.run("token", "revoke", str(tid), check=0)  # again: nothing changes
    row = [line.split("\t") for line in
           env.cli.run("token", "list", check=0).stdout.decode().splitlines()
           if line.startswith(f"{tid}\t")][0]
    assert re.fullmatch(ISO, row[3]), row  # revoked, and when

    # A disabled user gets no new token.
    env.cli.run("user", "disable", "bob", check=0)
    q = env.cli.run("token", "create", "bob", "--label", "x")
    assert q.returncode == 1 and "disabled" in err(q), err(q)


@test
def cli_users_against_the_server(env):
    """What the commands store is what the server checks: the password signs
    in (and the old one no longer does), the token calls the API, and a
    disabled account or a revoked token is refused at once."""
    add_user(env, "ann", "editor", "Ann Editor", PW)
    token = env.cli.run("token", "create", "ann", "--label", "e2e",
                        check=0).stdout.decode().strip()
    tid = env.cli.run("token", "list", check=0).stdout.decode().split("\t")[0]
    with env.server() as srv:
        api = Api(srv.base, token=token)
        me = api.ok("GET", "/me")["user"]
        assert me["login"] == "ann" and me["role"] == "editor", me
        b = Browser(srv.base)
        assert b.signin("ann", PW).status == 303

        env.cli.run("user", "set-role", "ann", "contributor", check=0)
        assert api.ok("GET", "/me")["user"]["role"] == "contributor"

        new_pw = "a brand new passphrase"
        env.cli.run("user", "passwd", "ann", "--password-stdin",
                    stdin=(new_pw + "\n").encode(), check=0)
        assert Browser(srv.base).signin("ann", PW).status != 303
        assert Browser(srv.base).signin("ann", new_pw).status == 303

        env.cli.run("user", "disable", "ann", check=0)
        assert api.get("/me").status == 401
        assert Browser(srv.base).signin("ann", new_pw).status != 303
        env.cli.run("user", "enable", "ann", check=0)
        # Disabling revoked the token for good; a new one works.
        assert api.get("/me").status == 401
        token2 = env.cli.run("token", "create", "ann", "--label", "e2e 2",
                             check=0).stdout.decode().strip()
        api2 = Api(srv.base, token=token2)
        assert api2.ok("GET", "/me")["user"]["login"] == "ann"
        tid2 = [line.split("\t")[0] for line in
                env.cli.run("token", "list", check=0).stdout.decode().splitlines()
                if line.split("\t")[0] != tid][0]
        env.cli.run("token", "revoke", tid2, check=0)
        assert api2.get("/me").status == 401


def run_on_tty(env, args, answers, timeout=60):
    """Runs the CLI on a pseudo-terminal, typing each answer after a prompt;
    returns (exit status, everything the terminal showed)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(env.binary, [env.binary, "--db", env.db, *args])
    shown, pending = b"", list(answers)
    deadline = time.time() + timeout
    try:
        while time.time() < deadline:
            r, _, _ = select.select([fd], [], [], 0.5)
            if r:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                shown += chunk
                while pending and shown.count(b": ") > len(answers) - len(pending):
                    os.write(fd, pending.pop(0).encode() + b"\n")
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(fd)
    return os.waitstatus_to_exitcode(status), shown.decode(errors="replace")


@test
def cli_users_terminal(env):
    """On a terminal the password is asked for twice, with echo off."""
    code, shown = run_on_tty(env, ["user", "add", "ann", "--role", "editor"], [PW, PW])
    assert code == 0, shown
    assert "Password: " in shown and "Again: " in shown, shown
    assert PW not in shown and "correct" not in shown, shown  # never echoed
    assert "added ann (editor)" in shown, shown
    assert pw_hash(env, "ann").startswith("$argon2id$")

    code, shown = run_on_tty(env, ["user", "add", "bob", "--role", "editor"],
                             [PW, PW + "x"])
    assert code == 1 and "the two passwords differ" in shown, shown
    code, shown = run_on_tty(env, ["user", "passwd", "ann"], ["tiny", "tiny"])
    assert code == 1 and "at least 10 characters" in shown, shown
    new_pw = "a brand new passphrase"
    before = pw_hash(env, "ann")
    code, shown = run_on_tty(env, ["user", "passwd", "ann"], [new_pw, new_pw])
    assert code == 0 and new_pw not in shown, shown
    assert pw_hash(env, "ann") != before
    assert [r[0] for r in users(env)] == ["ann"]


@test
def cli_users_demo_script(env):
    """bin/demo (what `make run` runs first) makes the demo page and one account
    per role, says how to sign in, and is quiet about what already exists."""
    def demo():
        p = subprocess.run([os.path.join(ROOT, "bin", "demo"), env.binary, env.db], cwd=ROOT,
                           capture_output=True, timeout=300, env={**os.environ, "LISTEN": ""})
        assert p.returncode == 0, err(p)
        return p.stdout.decode()

    out = demo()
    for s in ("http://127.0.0.1:8080/newsroom", "demo-admin", "demo-editor", "demo-writer",
              "password: liveline-demo", "127.0.0.1 only", "created the admin account"):
        assert s in out, (s, out)
    assert [r[:3] for r in users(env)] == [["demo-admin", "admin", "enabled"],
                                           ["demo-editor", "editor", "enabled"],
                                           ["demo-writer", "contributor", "enabled"]]
    for login in ("demo-admin", "demo-editor", "demo-writer"):
        assert pw_hash(env, login).startswith("$argon2id$")
    with env.server() as srv:
        assert Browser(srv.base).signin("demo-writer", "liveline-demo").status == 303

    again = demo()
    assert "created" not in again and "demo-admin" in again, again
    assert len(users(env)) == 3


@test
def help_on_every_subcommand(env):
    """`--help` anywhere after the command shows its usage and exits 0 (it was
    refused as a bad argument after a subcommand); an option's value "-h" is a
    value, not a request for help."""
    for args in (("user", "--help"), ("user", "list", "--help"), ("user", "add", "-h"),
                 ("user", "set-role", "ann", "--help"), ("token", "list", "--help"),
                 ("token", "revoke", "3", "-h"), ("token", "create", "ann", "--help")):
        p = env.cli.run(*args, check=0)
        assert p.stdout.decode().startswith("usage: liveline"), (args, p.stdout[:80])
    add_user(env, "ann", "editor", "Ann")
    p = env.cli.run("token", "create", "ann", "--label", "-h", check=0)
    assert p.returncode == 0 and "token 1 for ann" in err(p), err(p)
    assert env.sql_one("SELECT label FROM api_tokens") == "-h"
