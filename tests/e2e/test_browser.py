"""End-to-end tests of live updates as a reader gets them: headless Chromium
running web/live.js on a real live page, and a standard EventSource client on
the stream (docs/stream.md). Each scenario is a script in tests/e2e/browser/,
run with node against a fresh server; the scripts publish, edit, delete, pin
and end coverage through the command line while the page is open, and check
what the reader sees.

Needs node, /usr/bin/chromium and tests/e2e/node_modules
(`cd tests/e2e && npm ci --no-audit --no-fund`).
"""
import os
import shutil
import subprocess

from lib import DEMO, ROOT, Server, missing, test

HERE = os.path.dirname(os.path.abspath(__file__))
CHROMIUM = "/usr/bin/chromium"
SLUG = "demo-live"


def run_node(env, script, browser=True, workers=2, serve_args=()):
    if not shutil.which("node"):
        raise missing("node is not installed")
    for package in ("playwright-core", "eventsource"):
        if not os.path.isdir(os.path.join(HERE, "node_modules", package)):
            raise missing("tests/e2e/node_modules is missing (cd tests/e2e && npm ci)")
    if browser and not os.access(CHROMIUM, os.X_OK):
        raise missing(CHROMIUM + " is not installed")
    env.import_capture(DEMO, SLUG, 2026, "Demo: live", status="live")
    with Server(env.binary, env.db, workers, *serve_args) as srv:
        p = subprocess.run(
            ["node", os.path.join(HERE, "browser", script), srv.base],
            cwd=ROOT, capture_output=True, timeout=120,
            env={**os.environ, "LIVELINE_BIN": env.binary, "LIVELINE_DB": env.db,
                 "LIVELINE_SLUG": SLUG})
        out = (p.stdout + p.stderr).decode(errors="replace")
        assert p.returncode == 0, f"{script} failed:\n{out}\n--- server log:\n{srv.log()}"


@test
def browser_post_appears_live(env):
    run_node(env, "a_post_live.mjs")


@test
def browser_edit_in_place_and_delete(env):
    run_node(env, "b_edit_delete.mjs")


@test
def browser_scrolled_reader_gets_new_posts_button(env):
    run_node(env, "c_scrolled.mjs")


@test
def stream_eventsource_resumes_without_gap_or_duplicate(env):
    run_node(env, "d_eventsource.mjs", browser=False)


@test
def stream_reload_for_unknown_resume_point(env):
    run_node(env, "e_reload.mjs", serve_args=("--replay", "8"))


@test
def browser_injection_attempts_stay_inert(env):
    run_node(env, "f_injection.mjs")


@test
def browser_pin_summary_and_end_of_coverage(env):
    run_node(env, "g_pin_summary_status.mjs")
