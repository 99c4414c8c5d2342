"""Uploaded images live in the store; a server's media folder is only its
cache. Uploaded through one server, an image is still served, byte for byte,
when the folder is gone, or by a second server on the same database with a
folder of its own that starts empty, and is then in that folder. A name the
store does not hold stays 404; a store that cannot answer gives 503, and the
server goes on."""
import os
import shutil

from lib import Api, Server, add_staff, list_files, png, request, sql, test, wait_for


def server(env, folder=None, workers=2):
    """A server on env's database with a media folder named here (by default
    "media" in the test's folder), so that the test knows it on every backend."""
    return Server(env.binary, env.db, workers, "--media", folder or media_folder(env))


def media_folder(env):
    return os.path.join(env.dir, "media")


def upload(srv, token, image):
    """Uploads through the API; returns (media document, {file name: bytes
    served})."""
    m = Api(srv.base, token).ok("POST", "/media", raw=image, status=201,
                                headers={"Content-Type": "image/png"})["media"]
    served = {}
    for w in m["widths"]:
        name = f"{m['name']}-{w}.png"
        r = request(srv.base, "GET", "/media/" + name)
        assert r.status == 200, (name, r.status)
        served[name] = r.body
    return m, served


@test
def media_served_from_store_when_folder_is_gone(env):
    tokens = add_staff(env)
    with server(env) as srv:
        _, served = upload(srv, tokens["cal"], png(700, 400))
    assert sorted(served) == list_files(media_folder(env))
    shutil.rmtree(media_folder(env))
    with server(env) as srv:
        for name, data in served.items():
            r = request(srv.base, "GET", "/media/" + name)
            assert r.status == 200, (name, r.status, r.body[:200])
            assert r.body == data, name
            assert r.header("content-type") == "image/png"
            assert "immutable" in r.header("cache-control")
            assert r.header("etag") == f"\"{name[:32]}\""
            # Written back into the folder, whole, for the next request.
            with open(os.path.join(media_folder(env), name), "rb") as f:
                assert f.read() == data, name
        assert list_files(media_folder(env)) == sorted(served)  # no temporary file left
        # A conditional request for a missing file is answered too.
        os.unlink(os.path.join(media_folder(env), sorted(served)[0]))
        r = request(srv.base, "GET", "/media/" + sorted(served)[0],
                    headers={"If-None-Match": "\"x\""})
        assert r.status == 304, r.status


@test
def media_second_server_fills_its_own_folder(env):
    tokens = add_staff(env)
    other = os.path.join(env.dir, "node-b-cache")
    with server(env) as a, Server(env.binary, env.db, 2, "--media", other) as b:
        _, served = upload(a, tokens["cal"], png(1100, 500, color=(20, 160, 90)))
        assert list_files(other) == []
        # Every worker of b may take a request: each finds the file, made by
        # whichever got there first, or makes it.
        for _ in range(3):
            for name, data in served.items():
                r = request(b.base, "GET", "/media/" + name)
                assert r.status == 200 and r.body == data, (name, r.status)
        assert list_files(other) == sorted(served)
        for name, data in served.items():
            with open(os.path.join(other, name), "rb") as f:
                assert f.read() == data
        # An upload on b is stored too, and served by a with its own copy.
        _, served2 = upload(b, tokens["cal"], png(300, 300, color=(5, 5, 250)))
        for name, data in served2.items():
            assert request(a.base, "GET", "/media/" + name).body == data


@test
def media_missing_names_stay_404(env):
    tokens = add_staff(env)
    with server(env) as srv:
        m, served = upload(srv, tokens["cal"], png(500, 300))
        absent = [
            f"{m['name']}-960.png",                      # a width not made
            f"{m['name']}-500.jpg",                      # another format
            "0" * 32 + "-480.png",                       # never uploaded
            "../live.db",                                # not a media name
            f"{m['name'].upper()}-500.png",
        ]
        for name in absent:
            r = request(srv.base, "GET", "/media/" + name)
            assert r.status == 404, (name, r.status)
        assert list_files(media_folder(env)) == sorted(served)


@test
def media_store_failure_is_503(env):
    tokens = add_staff(env)
    with server(env) as srv:
        m, served = upload(srv, tokens["cal"], png(480, 200))
    shutil.rmtree(media_folder(env))
    # The store cannot answer: its table is gone (a damaged or foreign
    # database), not merely missing the file.
    sql(env.db, "DROP TABLE media_files")
    with server(env) as srv:
        name = sorted(served)[0]
        r = request(srv.base, "GET", "/media/" + name)
        assert r.status == 503, (r.status, r.body[:200])
        assert r.header("retry-after"), r.headers
        # The worker that answered is still serving.
        assert wait_for(lambda: request(srv.base, "GET", "/").status == 200)
        assert "media: " + name in srv.log()
