"""End-to-end tests of the newsroom's commands on the command line: post, edit,
delete, pin, unpin, summary and status. Each change is checked through
`export --format json`, including the change log: every command that changes
something adds exactly one entry (last_seq + 1), one that changes nothing adds
none. Hostile Markdown is stored and then served inert.
"""
import json
import re

from lib import DEMO, curl, parse_html, test

SLUG = "demo"

BODY = """\
The talks opened in *Paris* this morning.
A second line of the same paragraph.

> We will not give up.
>
> -- Volodymyr Zelensky

- **Zooming out:** the war is in its fourth year
- A point without a lead

![The delegations at the table](https://img.example/table.jpg "Talks began at *10:00*")
Image source: Reuters

[Embed: Frontlines of the war](https://example.com/map)

## A heading
"""


def setup(env):
    env.import_capture(DEMO, SLUG, 2026, "Demo")
    return doc(env)


def doc(env, slug=SLUG):
    return json.loads(env.cli.run("export", "--format", "json", slug, check=0).stdout)


def post_by_id(d, pid):
    found = [p for p in d["posts"] if p["id"] == pid]
    assert len(found) == 1, (pid, [p["id"] for p in d["posts"]])
    return found[0]


def new_post(env, *args, body=b"Hello.\n", slug=SLUG):
    p = env.cli.run("post", slug, *args, stdin=body, check=0)
    assert re.fullmatch(rb"[0-9]+\n", p.stdout), p.stdout
    return int(p.stdout)


@test
def cli_write_post(env):
    before = setup(env)
    pid = new_post(env, "--title", "A tale of two summits", "--breaking", "--key-event",
                   "--byline", "Liza Fokht|BBC Russian service, reporting from Paris",
                   "--byline", "Steve Rosenberg", body=BODY.encode())
    d = doc(env)
    assert d["last_seq"] == before["last_seq"] + 1
    assert d["n_posts"] == before["n_posts"] + 1
    post = post_by_id(d, pid)
    assert d["posts"][0]["id"] == pid  # published now: the newest
    assert post["title"] == "A tale of two summits"
    assert post["breaking"] is True and post["key_event"] is True
    assert post["bylines"] == [
        {"name": "Liza Fokht", "role": "BBC Russian service, reporting from Paris"},
        {"name": "Steve Rosenberg", "role": ""}]
    blocks = post["blocks"]
    assert [b["type"] for b in blocks] == ["paragraph", "quote", "list", "image", "embed",
                                          "paragraph"], blocks
    assert blocks[0]["text"] == ("The talks opened in *Paris* this morning.\n"
                                 "A second line of the same paragraph.")
    assert blocks[1] == {"type": "quote", "text": "We will not give up.",
                         "cite": "Volodymyr Zelensky"}
    assert blocks[2]["items"][0] == {"lead": "Zooming out:",
                                     "text": "the war is in its fourth year"}
    assert blocks[2]["items"][1] == {"text": "A point without a lead"}
    assert blocks[3]["url"] == "https://img.example/table.jpg"
    assert blocks[3]["alt"] == "The delegations at the table"
    assert blocks[3]["credit"] == "Reuters"
    assert blocks[3]["caption"] == r"Talks began at \*10:00\*"
    assert blocks[4] == {"type": "embed", "url": "https://example.com/map",
                         "title": "Frontlines of the war"}
    assert blocks[5]["text"] == "**A heading**"
    # The plain-text form shows it too.
    text = env.cli.run("export", SLUG, check=0).stdout.decode()
    assert "A tale of two summits" in text and "Image source, Reuters" in text

    # An empty body is a post with a title only; flags default to off.
    pid2 = new_post(env, "--title", "Just a headline", body=b"")
    post2 = post_by_id(doc(env), pid2)
    assert post2["blocks"] == [] and post2["bylines"] == []
    assert post2["breaking"] is False and post2["key_event"] is False
    assert doc(env)["last_seq"] == before["last_seq"] + 2


@test
def cli_write_post_time(env):
    setup(env)
    # Europe/London in June is BST (UTC+1): a time without an offset is local.
    pid = new_post(env, "--title", "Local time", "--time", "2026-06-12T20:00")
    assert post_by_id(doc(env), pid)["published_at"] == "2026-06-12T19:00:00Z"
    pid = new_post(env, "--title", "With offset", "--time", "2026-06-12T20:00:00+02:00")
    assert post_by_id(doc(env), pid)["published_at"] == "2026-06-12T18:00:00Z"
    pid = new_post(env, "--title", "UTC", "--time", "2026-01-05T09:30:00Z")
    assert post_by_id(doc(env), pid)["published_at"] == "2026-01-05T09:30:00Z"
    before = doc(env)["last_seq"]
    for bad in ("yesterday", "2026-13-01T10:00", "2026-06-12 25:00", ""):
        p = env.cli.run("post", SLUG, "--title", "T", "--time", bad, stdin=b"x")
        assert p.returncode == 2, (bad, p.returncode, p.stderr)
        assert b"--time" in p.stderr
    assert doc(env)["last_seq"] == before


@test
def cli_write_edit(env):
    setup(env)
    pid = new_post(env, "--title", "Old title", "--breaking", "--byline", "A|B",
                   body=b"Old *body*.\n")
    seq = doc(env)["last_seq"]

    # Title only: the body (empty standard input) and the rest are kept.
    env.cli.run("edit", SLUG, str(pid), "--title", "New title", stdin=b"", check=0)
    d = doc(env)
    post = post_by_id(d, pid)
    assert d["last_seq"] == seq + 1
    assert post["title"] == "New title"
    assert post["blocks"] == [{"type": "paragraph", "text": "Old *body*."}]
    assert post["breaking"] is True and post["bylines"] == [{"name": "A", "role": "B"}]

    # White space alone keeps the body too.
    env.cli.run("edit", SLUG, str(pid), "--key-event", stdin=b"\n  \n", check=0)
    post = post_by_id(doc(env), pid)
    assert post["key_event"] is True and post["blocks"][0]["text"] == "Old *body*."

    # A new body replaces the old one; the title stays.
    env.cli.run("edit", SLUG, str(pid), stdin=b"New body.\n\n- one\n- two\n", check=0)
    d = doc(env)
    post = post_by_id(d, pid)
    assert d["last_seq"] == seq + 3
    assert post["title"] == "New title"
    assert [b["type"] for b in post["blocks"]] == ["paragraph", "list"]
    assert post["blocks"][0]["text"] == "New body."

    # Flags off.
    env.cli.run("edit", SLUG, str(pid), "--no-breaking", "--no-key-event", stdin=b"",
                check=0)
    post = post_by_id(doc(env), pid)
    assert post["breaking"] is False and post["key_event"] is False
    assert post["updated_at"] >= post["published_at"]
    assert doc(env)["last_seq"] == seq + 4

    # Nothing to change is a usage error, and changes nothing.
    p = env.cli.run("edit", SLUG, str(pid), stdin=b"")
    assert p.returncode == 2 and b"nothing to change" in p.stderr
    # Bad Markdown: exit 1, the post is as it was.
    p = env.cli.run("edit", SLUG, str(pid), stdin=b"![x](javascript:alert(1))\n")
    assert p.returncode == 1 and b"image 1: only http, https and site paths" in p.stderr
    assert post_by_id(doc(env), pid) == post
    assert doc(env)["last_seq"] == seq + 4


@test
def cli_write_delete(env):
    before = setup(env)
    pid = new_post(env, "--title", "Doomed")
    env.cli.run("delete", SLUG, str(pid), check=0)
    d = doc(env)
    assert d["n_posts"] == before["n_posts"]
    assert pid not in [p["id"] for p in d["posts"]]
    assert d["last_seq"] == before["last_seq"] + 2  # post, delete
    p = env.cli.run("delete", SLUG, str(pid))
    assert p.returncode == 1
    assert f'liveline delete: no post {pid} on {SLUG}'.encode() in p.stderr, p.stderr
    assert doc(env)["last_seq"] == before["last_seq"] + 2


@test
def cli_write_pin_unpin(env):
    before = setup(env)
    seq = before["last_seq"]
    assert before["pinned_post_id"] is None
    first, second = before["posts"][-1]["id"], before["posts"][0]["id"]
    env.cli.run("pin", SLUG, str(first), check=0)
    d = doc(env)
    assert d["pinned_post_id"] == first and d["last_seq"] == seq + 1
    assert post_by_id(d, first)["pinned"] is True
    # Pinning the pinned post changes nothing and logs nothing.
    p = env.cli.run("pin", SLUG, str(first), check=0)
    assert b"already pinned" in p.stdout
    assert doc(env)["last_seq"] == seq + 1
    # Another post takes its place.
    env.cli.run("pin", SLUG, str(second), check=0)
    d = doc(env)
    assert d["pinned_post_id"] == second and d["last_seq"] == seq + 2
    assert post_by_id(d, first)["pinned"] is False
    env.cli.run("unpin", SLUG, check=0)
    d = doc(env)
    assert d["pinned_post_id"] is None and d["last_seq"] == seq + 3
    p = env.cli.run("unpin", SLUG, check=0)
    assert b"no post is pinned" in p.stdout
    assert doc(env)["last_seq"] == seq + 3
    # A post that is not on the page cannot be pinned.
    p = env.cli.run("pin", SLUG, "999999")
    assert p.returncode == 1 and b"no post 999999 on demo" in p.stderr
    # Deleting the pinned post clears the pin.
    env.cli.run("pin", SLUG, str(second), check=0)
    env.cli.run("delete", SLUG, str(second), check=0)
    d = doc(env)
    assert d["pinned_post_id"] is None and d["last_seq"] == seq + 5


@test
def cli_write_summary(env):
    before = setup(env)
    media = before["summary"]["media"]
    assert media and media["caption"], before["summary"]
    env.cli.run("summary", SLUG, stdin=b"- The bridge has **reopened**\n"
                b"- Ferries run a reduced service\n", check=0)
    d = doc(env)
    assert d["last_seq"] == before["last_seq"] + 1
    assert d["summary"]["points"] == ["The bridge has **reopened**",
                                      "Ferries run a reduced service"]
    assert d["summary"]["media"] == media  # the featured media is kept
    text = env.cli.run("export", SLUG, check=0).stdout.decode()
    assert text.startswith("Summary\n\n\u2022 The bridge has reopened\n"
                           "\u2022 Ferries run a reduced service\n"), text[:200]
    # Not a bullet list: exit 1 with the reason, nothing changes.
    p = env.cli.run("summary", SLUG, stdin=b"Just a paragraph.\n")
    assert p.returncode == 1 and b"bullet list" in p.stderr, p.stderr
    assert doc(env)["summary"] == d["summary"]
    assert doc(env)["last_seq"] == d["last_seq"]
    # Empty input clears the points.
    env.cli.run("summary", SLUG, stdin=b"", check=0)
    assert doc(env)["summary"]["points"] == []
    assert doc(env)["summary"]["media"] == media


@test
def cli_write_status(env):
    before = setup(env)
    assert before["status"] == "live"
    seq = before["last_seq"]
    p = env.cli.run("status", SLUG, "live", check=0)
    assert b"already live" in p.stdout
    assert doc(env)["last_seq"] == seq
    env.cli.run("status", SLUG, "ended", check=0)
    d = doc(env)
    assert d["status"] == "ended" and d["last_seq"] == seq + 1
    env.cli.run("status", SLUG, "upcoming", check=0)
    assert doc(env)["status"] == "upcoming"
    env.cli.run("status", SLUG, "live", check=0)
    d = doc(env)
    assert d["status"] == "live" and d["last_seq"] == seq + 3
    assert "live" in env.cli.run("list", check=0).stdout.decode()


@test
def cli_write_errors(env):
    before = setup(env)
    pid = before["posts"][0]["id"]
    usage = [
        ["post"], ["post", SLUG], ["post", "--title", "T"], ["post", SLUG, "x", "--title", "T"],
        ["post", SLUG, "--title", ""], ["post", SLUG, "--title", "   "],
        ["post", SLUG, "--title", "x" * 301], ["post", SLUG, "--title", b"bad \xff utf8"],
        ["post", SLUG, "--title", "two\nlines"],
        ["post", SLUG, "--title", "T", "--byline", "|Role"],
        ["post", SLUG, "--title", "T", "--byline", "  | Role"],
        ["post", SLUG, "--title", "T", "--nosuch"],
        ["edit"], ["edit", SLUG], ["edit", SLUG, "abc", "--title", "T"],
        ["edit", SLUG, "0", "--title", "T"], ["edit", SLUG, str(pid), "--title", ""],
        ["edit", SLUG, str(pid), "extra", "--title", "T"],
        ["delete", SLUG], ["delete", SLUG, "x"], ["delete", SLUG, "1", "2"],
        ["pin", SLUG], ["pin", SLUG, "-3"], ["unpin"], ["unpin", SLUG, "1"],
        ["summary"], ["summary", SLUG, "extra"],
        ["status", SLUG], ["status", SLUG, "paused"], ["status", SLUG, "live", "x"],
    ]
    for args in usage:
        p = env.cli.run(*args, stdin=b"body\n")
        assert p.returncode == 2, (args, p.returncode, p.stderr)
        assert p.stderr, args
    # Exactly 300 bytes is fine (UTF-8: 100 three-byte characters).
    new_post(env, "--title", "\u20ac" * 100)
    for cmd in ("post", "edit", "delete", "pin", "unpin", "summary", "status"):
        p = env.cli.run(cmd, "--help", check=0)
        assert p.stdout.startswith(b"usage: liveline"), (cmd, p.stdout)
        assert f" {cmd} ".encode() in p.stdout.split(b"\n")[0]
    # The body limit the help gives is the one the command keeps (it said
    # 1 MiB after the limit became 8 KiB).
    assert b"at most 8192 bytes" in env.cli.run("post", "--help", check=0).stdout

    # A page or post that is not there: exit 1 and a clear message.
    missing = [
        (["post", "nosuch", "--title", "T"], b'liveline post: no live page "nosuch"'),
        (["edit", "nosuch", "1", "--title", "T"], b'liveline edit: no live page "nosuch"'),
        (["delete", "nosuch", "1"], b'liveline delete: no live page "nosuch"'),
        (["pin", "nosuch", "1"], b'liveline pin: no live page "nosuch"'),
        (["unpin", "nosuch"], b'liveline unpin: no live page "nosuch"'),
        (["summary", "nosuch"], b'liveline summary: no live page "nosuch"'),
        (["status", "nosuch", "ended"], b'liveline status: no live page "nosuch"'),
        (["edit", SLUG, "999999", "--title", "T"], b"liveline edit: no post 999999 on demo"),
        (["delete", SLUG, "999999"], b"liveline delete: no post 999999 on demo"),
        (["pin", SLUG, "999999"], b"liveline pin: no post 999999 on demo"),
    ]
    for args, msg in missing:
        p = env.cli.run(*args, stdin=b"- x\n")
        assert p.returncode == 1, (args, p.returncode, p.stderr)
        assert msg in p.stderr, (args, p.stderr)

    # Bad Markdown: exit 1 with the reason.
    bad = [
        (b"![x](javascript:alert(1))\n", b"image 1: only http, https and site paths"),
        (b"![a](https://a.example/a.jpg)\n\n![b](ftp://x/b.jpg)\n", b"image 2:"),
        (b"[Embed: Map](javascript:alert(1))\n", b"embed 1:"),
        (b"".join(b"para %d\n\n" % i for i in range(501)), b"more than 500 blocks"),
        (b"x" * (8192 + 1), b"the body on standard input is 8193 bytes, longer than the 8192"),
        (b"x" * (1024 * 1024 + 1), b"larger than 1 MB"),
    ]
    for body, msg in bad:
        p = env.cli.run("post", SLUG, "--title", "T", stdin=body)
        assert p.returncode == 1, (msg, p.returncode, p.stderr)
        assert msg in p.stderr, (msg, p.stderr)
    # Invalid UTF-8 in a body is refused by the store.
    p = env.cli.run("post", SLUG, "--title", "T", stdin=b"caf\xe9\n")
    assert p.returncode == 1 and b"UTF-8" in p.stderr, p.stderr

    # None of the failures touched the page: only the one good post is new.
    d = doc(env)
    assert d["last_seq"] == before["last_seq"] + 1
    assert d["n_posts"] == before["n_posts"] + 1


HOSTILE = b"""\
Hello <script>alert(1)</script> and <img src=x onerror=alert(2)>

<script>alert(3)</script>

[click me](javascript:alert(4)) and [data](data:text/html,<b>x</b>)

> <iframe src="https://evil.example/"></iframe>
>
> -- <b>Mallory</b>

- **<i>lead</i>** [y](vbscript:msgbox)
"""


@test
def cli_write_hostile_markdown_served_inert(env):
    setup(env)
    pid = new_post(env, "--title", "<script>alert('title')</script>",
                   "--byline", "<b>Eve</b>|<i>role</i>", body=HOSTILE)
    post = post_by_id(doc(env), pid)
    assert "javascript:alert" in post["blocks"][2]["text"]  # kept as written
    with env.server() as srv:
        r = curl(srv.base + "/live/" + SLUG)
        assert r.status == 200, r.status
        page = r.text
        dom = parse_html(page)
        art = dom.find("article", **{"data-id": str(pid)})
        assert art is not None, "the post is not on the page"
        body = art.text()
        for needle in ("<script>alert(1)</script>", "<script>alert(3)</script>",
                       "<img src=x onerror=alert(2)>", "<script>alert('title')</script>",
                       "<b>Eve</b>", "click me"):
            assert needle in body, (needle, body)
        for tag in ("script", "img", "iframe", "b", "i"):
            assert not art.find_all(tag), (tag, [n.attrs for n in art.find_all(tag)])
        for a in art.find_all("a"):
            href = a.attrs.get("href", "")
            assert href.startswith(("http://", "https://", "/", "#")), href
        assert "javascript:" not in page and "vbscript:" not in page
        assert "data:text/html" not in page
        assert "alert(1)</script>" not in page  # never raw
