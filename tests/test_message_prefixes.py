#!/usr/bin/python3
"""Library errors never start with an app's name (CTest: library_errors_have_no_app_prefix,
tests/integration_flags.cmake). apps::run_app prints an exception as "<app>: <message>", so a
message thrown from apps/support (TINT_CHECK, TINT_FAIL, throw) that begins with "colorize: "
came out as "colorize: colorize: ...". This scans every apps/support source for a string
literal that begins with an app's name and a colon inside such a statement; lines that only
print (printf, log, info) are not errors and may name their app.

Usage: test_message_prefixes.py SOURCE_DIR
"""
import os
import re
import sys

from script_checks import check, exit_code

APPS = ["train_colorizer", "train_classifier", "colorize", "evaluate", "compute_prior",
        "train_example", "bench_ops", "bench_kernels", "bench_train"]
PREFIXED = re.compile(r'"(%s): ' % "|".join(APPS))
ERROR_STATEMENT = re.compile(r"\b(TINT_CHECK|TINT_FAIL|throw)\b")


def statement_around(text, pos):
    """The statement holding pos: from after the previous ';', '{' or '}' to the next ';'."""
    start = max(text.rfind(c, 0, pos) for c in ";{}") + 1
    end = text.find(";", pos)
    return text[start:end if end >= 0 else len(text)]


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    support = os.path.join(sys.argv[1], "apps", "support")
    files = sorted(f for f in os.listdir(support) if f.endswith((".cpp", ".h")))
    check(len(files) > 10, "found the apps/support sources in %s" % support)
    scanned = 0
    for name in files:
        with open(os.path.join(support, name), encoding="utf-8") as f:
            text = f.read()
        scanned += 1
        for m in PREFIXED.finditer(text):
            statement = statement_around(text, m.start())
            if ERROR_STATEMENT.search(statement):
                line = text.count("\n", 0, m.start()) + 1
                check(False, "apps/support/%s:%d: an error message starts with %r, which run_app "
                             "prints again in front of it" % (name, line, m.group(0)[1:]))
    print("%d apps/support files scanned" % scanned)
    return exit_code("library_errors_have_no_app_prefix")


if __name__ == "__main__":
    sys.exit(main())
