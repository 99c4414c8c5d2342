"""Reader pages at the edges: which page a post lands on, and where its
permalink says it is, for live pages of 19, 20, 21, 39, 40, 41 and 60 posts (an
older page holds 20, the live page the newest 20 with the remainder: the
boundaries are where an off-by-one hides); If-None-Match with lists,
weak tags, "*" and a prefix of the real tag."""
import os
import re

from lib import curl, parse_html, request, test

PER_PAGE = 20


def capture(n):
    """A capture of n posts, newest first (post 1 is the newest), one a minute
    from 08:00 GMT on 17 February."""
    out = []
    for i in range(n):
        t = n - 1 - i  # minutes after 08:00
        out.append(f"  {i + 1}. Post {n - i} of {n}published at "
                   f"{8 + t // 60:02d}:{t % 60:02d} Greenwich Mean Time 17 February\n\n"
                   f"    The words of post {n - i}.")
    return "\n\n".join(out)


def articles(base, path):
    """[(post id, its number from the oldest)] of a live page's articles, in
    the order shown (the number is read from the title "Post K of N")."""
    r = request(base, "GET", path)
    assert r.status == 200, (path, r.status)
    out = []
    for a in parse_html(r.text).find_all("article"):
        if re.fullmatch(r"post-\d+", a.attrs.get("id", "")):
            m = re.search(r"Post (\d+) of", a.text())
            out.append((int(a.attrs["id"].split("-")[1]), int(m.group(1))))
    return out


def article_ids(base, path):
    return [pid for pid, _ in articles(base, path)]


@test
def http_permalink_page_boundaries(env):
    counts = (19, 20, 21, 39, 40, 41, 60)
    for n in counts:
        path = os.path.join(env.dir, f"p{n}.txt")
        with open(path, "w", encoding="utf-8") as f:
            f.write(capture(n))
        env.import_capture(path, f"p{n}", 2025, f"{n} posts")
    with env.server() as srv:
        for n in counts:
            slug = f"p{n}"
            pages = max(1, n // PER_PAGE)
            # Page k (from the oldest) holds posts 20(k-1)+1 .. 20k; the live
            # page is the last one, with the rest (at least 20 when there are
            # as many); a page number past it is 404.
            shown = {}
            for k in range(1, pages + 1):
                got = articles(srv.base, f"/live/{slug}?page={k}")
                last = n if k == pages else PER_PAGE * k
                assert [no for _, no in got] == list(range(last, PER_PAGE * (k - 1), -1)), \
                    (slug, k, got)
                for pid, _ in got:
                    assert pid not in shown, (slug, pid, "on two pages")
                    shown[pid] = k
            assert article_ids(srv.base, f"/live/{slug}") == \
                article_ids(srv.base, f"/live/{slug}?page={pages}"), slug
            assert request(srv.base, "GET", f"/live/{slug}?page={pages + 1}").status == 404
            assert len(shown) == n, (slug, len(shown))

            # Every permalink links to the page that shows the post: the live
            # page itself for the newest page, ?page=K for older ones.
            for pid, k in shown.items():
                r = request(srv.base, "GET", f"/live/{slug}/posts/{pid}")
                assert r.status == 200, (slug, pid, r.status)
                link = parse_html(r.text).find("p", cls="in-context").find("a")
                want = (f"/live/{slug}#post-{pid}" if k == pages
                        else f"/live/{slug}?page={k}#post-{pid}")
                assert link.attrs["href"] == want, (slug, pid, link.attrs["href"], want)
                target = link.attrs["href"].split("#")[0]
                assert pid in article_ids(srv.base, target), (slug, pid, target)


@test
def http_if_none_match_lists(env):
    with open(os.path.join(env.dir, "c.txt"), "w", encoding="utf-8") as f:
        f.write(capture(2 * PER_PAGE + 1))  # two pages: ?page=1 is an older one
    env.import_capture(os.path.join(env.dir, "c.txt"), "etags", 2025)
    with env.server() as srv:
        assert len(article_ids(srv.base, "/live/etags")) == PER_PAGE + 1
        for path in ("/live/etags", "/live/etags?page=1", "/"):
            r = curl(srv.base + path)
            etag = r.header("etag")
            assert r.status == 200 and re.fullmatch(r'"[^"]+"', etag or ""), (path, etag)
            inner = etag[1:-1]

            def status(inm):
                return curl(srv.base + path, headers=[f"If-None-Match: {inm}"]).status

            # RFC 9110 13.1.2: a list, compared weakly; any member may match.
            for inm in (etag, f'"x", {etag}', f'"x",{etag}', f'"x", "y", {etag}, "z"',
                        f"W/{etag}", f'"x", W/{etag}', f'W/"x", W/{etag}', "*"):
                assert status(inm) == 304, (path, inm)
            # Other tags, and tags that are only a prefix (or extension) of it.
            for inm in ('"other"', '"x", "y"', f'"{inner[:-1]}"', f'W/"{inner[:-1]}"',
                        f'"{inner}0"', f'"{inner[:-1]}", "{inner}0"', inner, f'"{inner}'):
                assert status(inm) == 200, (path, inm)
