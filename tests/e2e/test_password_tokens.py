"""What a new password does to a user's ways in (the decision in README and
docs/api.md): it ends every session the old password opened, and keeps the
user's API tokens, which are for machines and which an admin revokes on their
own (or all at once by disabling the user). Both ways of changing a password
are covered: `liveline user passwd` and the API's PATCH /api/v1/users/ID.
"""
from lib import PASSWORD, Api, Browser, add_staff, api_error, test

NEW = "a brand new passphrase"
NEWER = "another long passphrase"


def signed_in_api(srv, login, password):
    b = Browser(srv.base)
    assert b.signin(login, password).status == 303
    return b, b.api()


@test
def password_change_ends_sessions_and_keeps_tokens(env):
    tokens = add_staff(env)
    with env.server() as srv:
        ada = Api(srv.base, token=tokens["ada"])
        cal_token = Api(srv.base, token=tokens["cal"])
        cal_id = cal_token.ok("GET", "/me")["user"]["id"]

        # The command line.
        b, cal_session = signed_in_api(srv, "cal", PASSWORD)
        assert cal_session.ok("GET", "/me")["user"]["login"] == "cal"
        env.cli.run("user", "passwd", "cal", "--password-stdin",
                    stdin=(NEW + "\n").encode(), check=0)
        api_error(cal_session.get("/me"), 401, "unauthenticated")  # the session ended
        assert b.get("/newsroom").status == 303  # back to signing in
        assert cal_token.ok("GET", "/me")["user"]["login"] == "cal"  # the token works
        assert Browser(srv.base).signin("cal", PASSWORD).status != 303
        b, cal_session = signed_in_api(srv, "cal", NEW)

        # The API, by an admin.
        ada.ok("PATCH", f"/users/{cal_id}", {"password": NEWER})
        api_error(cal_session.get("/me"), 401, "unauthenticated")
        assert cal_token.ok("GET", "/me")["user"]["login"] == "cal"
        assert signed_in_api(srv, "cal", NEWER)[1].ok("GET", "/me")["user"]["login"] == "cal"
        listed = [t for t in ada.ok("GET", "/tokens")["tokens"] if t["login"] == "cal"]
        assert [t["revoked_at"] for t in listed] == [None], listed

        # What does end a token: revoking it.
        ada.ok("DELETE", f"/tokens/{listed[0]['id']}", status=204)
        api_error(cal_token.get("/me"), 401, "unauthenticated")
        actions = [a["action"] for a in ada.ok("GET", "/audit?limit=50")["audit"]]
        assert actions.count("user.password") == 2, actions
