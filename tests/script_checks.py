"""The check-and-tally the Python test scripts (tests/test_*.py) share: check() prints and
records a failed check and goes on, exit_code() prints the tally and gives the exit status."""

FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print("FAILED: " + what)


def exit_code(name):
    if FAILURES:
        print("%d check(s) failed" % len(FAILURES))
        return 1
    print("%s: all checks passed" % name)
    return 0
