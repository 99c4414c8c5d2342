#!/usr/bin/env python3
"""Liveline end-to-end tests: the real binary, started on loopback, checked with
real clients (the command line itself, curl, EventSource, headless Chromium,
feedparser). Tests live in tests/e2e/test_*.py, each marked with @test.

    python3 tests/e2e/run.py --bin build/liveline [-k NAME]

Ends with one line: "e2e: N passed, N failed, N skipped".
"""
import argparse
import glob
import importlib
import os
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import lib  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("-k", default=None, help="run tests whose name contains this")
    a = ap.parse_args()
    binary = os.path.abspath(a.bin)
    for path in sorted(glob.glob(os.path.join(HERE, "test_*.py"))):
        importlib.import_module(os.path.basename(path)[:-3])
    passed = failed = skipped = 0
    for fn in lib.TESTS:
        name = f"{fn.__module__}.{fn.__name__}"
        if a.k and a.k not in name:
            continue
        env = lib.Env(binary)
        t0 = time.time()
        try:
            fn(env)
            passed += 1
            print(f"ok      {name} ({time.time() - t0:.1f}s)")
        except lib.Skip as e:
            skipped += 1
            print(f"skipped {name}: {e}")
        except Exception:
            failed += 1
            print(f"FAILED  {name}")
            traceback.print_exc(file=sys.stdout)
        finally:
            env.close()
        sys.stdout.flush()
    print(f"e2e: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
