#!/usr/bin/env python3
"""Liveline end-to-end tests: the real binary, started on loopback, checked with
real clients (the command line itself, curl, EventSource, headless Chromium,
feedparser). Tests live in tests/e2e/test_*.py, each marked with @test.

    python3 tests/e2e/run.py --bin build/liveline [-k NAME] [--backend sqlite|pg]

--backend pg runs every test on PostgreSQL: each gets a database of its own in
the cluster LIVELINE_TEST_PG names (a postgresql:// URI), or, when that is
unset, in a throwaway cluster this run starts with tests/pg and stops at its
end. A test about one backend itself (@test(backends=...)) is left out of the
other's run and listed by name with the reason, so that nobody takes the run
for more than it is.

Ends with one line: "e2e: N passed, N failed, N skipped[, N left out (...)]".
"""
import argparse
import glob
import importlib
import os
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import lib  # noqa: E402

NAMES = {"sqlite": "SQLite", "pg": "PostgreSQL"}


def start_cluster():
    """A throwaway cluster (tests/pg) for this run; returns its folder, with
    LIVELINE_TEST_PG set to its URI."""
    folder = tempfile.mkdtemp(prefix="liveline-pg-")
    p = subprocess.run([os.path.join(lib.ROOT, "tests", "pg"), "start", folder],
                       capture_output=True, text=True)
    if p.returncode != 0:
        subprocess.run([os.path.join(lib.ROOT, "tests", "pg"), "stop", folder])
        raise lib.missing("no PostgreSQL cluster: " + p.stderr.strip())
    os.environ["LIVELINE_TEST_PG"] = p.stdout.strip()
    print(f"e2e: a PostgreSQL cluster of this run's own in {folder}")
    return folder


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("-k", default=None, help="run tests whose name contains this")
    ap.add_argument("--backend", choices=lib.BACKENDS, default="sqlite",
                    help="the store the tests' databases are in (default sqlite)")
    a = ap.parse_args()
    binary = os.path.abspath(a.bin)
    for path in sorted(glob.glob(os.path.join(HERE, "test_*.py"))):
        importlib.import_module(os.path.basename(path)[:-3])
    chosen = [fn for fn in lib.TESTS if not a.k or a.k in f"{fn.__module__}.{fn.__name__}"]
    run = [fn for fn in chosen if a.backend in fn.backends]
    left_out = [fn for fn in chosen if a.backend not in fn.backends]
    cluster = None
    if a.backend == "pg" and run and not os.environ.get("LIVELINE_TEST_PG"):
        try:
            cluster = start_cluster()
        except (lib.Skip, AssertionError) as e:
            # Every test would need it: one line instead of each failing alike.
            ok = isinstance(e, lib.Skip)
            print(f"{'skipped' if ok else 'FAILED '} every test on PostgreSQL: {e}")
            print(f"e2e: 0 passed, {0 if ok else len(run)} failed, {len(run) if ok else 0} skipped")
            return 0 if ok else 1
    passed = failed = skipped = 0
    try:
        for fn in run:
            name = f"{fn.__module__}.{fn.__name__}"
            t0 = time.time()
            env, outcome, reason = None, "ok", None
            try:
                env = lib.Env(binary, a.backend)
                fn(env)
            except lib.Skip as e:
                outcome, reason = "skipped", e
            except Exception:
                outcome = "FAILED"
                print(f"FAILED  {name}")
                traceback.print_exc(file=sys.stdout)
            try:  # a database that will not drop fails the test too
                if env:
                    env.close()
            except Exception:
                if outcome != "FAILED":
                    outcome = "FAILED"
                    print(f"FAILED  {name} (cleaning up)")
                traceback.print_exc(file=sys.stdout)
            if outcome == "ok":
                passed += 1
                print(f"ok      {name} ({time.time() - t0:.1f}s)")
            elif outcome == "FAILED":
                failed += 1
            else:
                skipped += 1
                print(f"skipped {name}: {reason}")
            sys.stdout.flush()
    finally:
        if cluster:
            subprocess.run([os.path.join(lib.ROOT, "tests", "pg"), "stop", cluster])
    summary = f"e2e: {passed} passed, {failed} failed, {skipped} skipped"
    if left_out:
        print(f"Left out of this run ({NAMES[a.backend]}), as tests of another backend itself:")
        for fn in left_out:
            print(f"  {fn.__module__}.{fn.__name__} ({'/'.join(fn.backends)} only): {fn.why}")
        summary += f", {len(left_out)} left out ({'/'.join(sorted({b for fn in left_out for b in fn.backends}))} only)"
    print(summary)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
