#!/usr/bin/env python3
"""device_summary.py: prints the short table that ends scripts/device_check.sh, from the
files that script leaves in its log folder (info.tsv, status.tsv, cuda_tests.log, or
ctest-junit.xml / ctest.log / ctest-LastTest.log with --all, bench.json (bench_ops),
bench_kernels.json, bench_train.json); bench_kernels' rows (GB/s, % of copy, fused vs
unfused loss) and bench_train's rows (images/s, peak memory, tint/this, % of the FLOP
floor) follow the table.

Usage: python3 scripts/device_summary.py LOG_DIR
Standard library only; a missing or unreadable file shows as "n/a", never as an error.
"""
import json
import os
import re
import sys
import xml.etree.ElementTree as ET


def read_tsv(path):
    rows = []
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                line = line.rstrip("\n")
                if line:
                    rows.append(line.split("\t"))
    except OSError:
        pass
    return rows


def read_text(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return None


def ctest_counts(logs):
    """(passed, failed, skipped, total, failed names) from the JUnit file, else ctest.log."""
    try:
        suite = ET.parse(os.path.join(logs, "ctest-junit.xml")).getroot()
        cases = suite.iter("testcase")
        passed = failed = skipped = 0
        failed_names = []
        for case in cases:
            status = case.get("status", "")
            if case.find("skipped") is not None or status in ("notrun", "disabled"):
                skipped += 1
            elif case.find("failure") is not None or status == "fail":
                failed += 1
                failed_names.append(case.get("name", "?"))
            else:
                passed += 1
        total = passed + failed + skipped
        if total:
            return passed, failed, skipped, total, failed_names
    except (OSError, ET.ParseError):
        pass
    text = read_text(os.path.join(logs, "ctest.log"))
    if not text:
        return None
    m = re.search(r"(\d+)% tests passed, (\d+) tests? failed out of (\d+)", text)
    if not m:
        return None
    failed, total = int(m.group(2)), int(m.group(3))
    skipped = len(re.findall(r"^\s*\d+ - .*\((?:Skipped|Not Run|Disabled)\)\s*$", text, re.M))
    failed_names = re.findall(r"^\s*\d+ - (\S+) \((?:Failed|Timeout|SEGFAULT|Subprocess aborted|"
                              r"Exception|Child aborted)[^)]*\)", text, re.M)
    return total - failed - skipped, failed, skipped, total, failed_names


def catch2_summary(output):
    """The Catch2 summary of one test binary's output, on one line."""
    if output is None:
        return None
    lines = output.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("All tests passed"):
            return line.strip()
        if line.startswith("test cases:"):
            nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
            return " ".join(line.split()) + ("; " + " ".join(nxt.split()) if nxt else "")
    for line in lines:
        if "skipping" in line or "No tests ran" in line:
            return line.strip()
    return None


def cuda_tests_line(logs):
    # tint_cuda_tests run directly (device_check.sh's default): its own log.
    found = catch2_summary(read_text(os.path.join(logs, "cuda_tests.log")))
    if found:
        return found
    # LastTest.log holds every test's full output, passed or not.
    text = read_text(os.path.join(logs, "ctest-LastTest.log"))
    if text:
        m = re.search(r"Test: cuda_tests\n.*?Output:\n-+\n(.*?)<end of output>", text, re.S)
        if m:
            found = catch2_summary(m.group(1))
            if found:
                return found
    try:
        suite = ET.parse(os.path.join(logs, "ctest-junit.xml")).getroot()
        for case in suite.iter("testcase"):
            if case.get("name") == "cuda_tests":
                out = case.find("system-out")
                found = catch2_summary(out.text if out is not None else None)
                if found:
                    return found
    except (OSError, ET.ParseError):
        pass
    return None


def bench_line(path):
    try:
        with open(path) as f:
            b = json.load(f)
    except (OSError, ValueError):
        return None
    tint_ms = b.get("total_tint_ms")
    torch_ms = b.get("total_torch_ms")
    ratio = b.get("total_ratio")
    parts = [b.get("precision", "fp32")]
    if tint_ms is not None:
        parts.append(f"tint {tint_ms:.2f} ms")
    if torch_ms is not None:
        parts.append(f"torch {torch_ms:.2f} ms")
    if ratio is not None:
        parts.append(f"ratio {ratio:.3f}")
        parts.append(f"target {b.get('target_ratio', 1.1)}x: {b.get('target', '?')}")
        layers = [l for l in b.get("layers", []) if l.get("ratio") is not None]
        if layers:  # where tint is furthest behind, for the next look
            worst = max(layers, key=lambda l: l["ratio"])
            parts.append(f"worst layer {worst.get('name')} {worst['ratio']:.2f}x")
    else:
        parts.append("no PyTorch side")
    torch = b.get("torch", {})
    versions = f"cuDNN tint {b.get('tint_cudnn_version', '?')}"
    if torch:
        versions += f" / torch {torch.get('cudnn_version', '?')}, torch {torch.get('torch_version', '?')}"
    return ", ".join(parts) + f" ({b.get('total_convs', '?')} convs, batch {b.get('batch')}, " \
        f"{b.get('size')}x{b.get('size')}; {versions})"


def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def train_line(b):
    """bench_train's one-line gist: matmul rates and the target verdicts."""
    rate = b.get("matmul_rate", {})
    rates = rate.get("rates_tflops")
    if rates:
        parts = [", ".join(f"{k} {v:.1f}" for k, v in rates.items()) + " TFLOP/s matmul"]
    else:
        parts = ["matmul rate n/a" + (f" ({rate['error']})" if rate.get("error") else "")]
    targets = b.get("targets")
    if isinstance(targets, dict):
        parts.extend(f"{what}: {verdict}" for what, verdict in targets.items())
    else:  # bench_train before the bf16 mode
        parts.append(f"vs eager: {b.get('target_verdict', '?')}")
        parts.append(f"vs fastest mode: {b.get('target_fastest_verdict', '?')}")
    batches = ",".join(str(x) for x in b.get("batches", []))
    return "; ".join(parts) + f" (batches {batches}, {b.get('size')}x{b.get('size')})"


def kernel_rows(b):
    """bench_kernels' results as a small table (list of lines)."""
    copy = b.get("copy", {})
    lines = [f"copy {fmt_num(copy.get('gbps'), '.0f')} GB/s ({copy.get('what', '?')}); "
             f"batch {b.get('batch', '?')}"]
    lines.append(f"{'kernel':<28} {'size':>5} {'ms':>9} {'GB/s':>8} {'% copy':>7}")
    for r in b.get("kernels", []):
        frac = r.get("fraction_of_copy")
        lines.append(f"{r.get('kernel', '?'):<28} {r.get('size', '?'):>5} "
                     f"{fmt_num(r.get('ms'), '9.3f')} {fmt_num(r.get('gbps'), '8.1f')} "
                     f"{fmt_num(100 * frac if isinstance(frac, (int, float)) else None, '7.1f')}")
    lines.append(f"{'loss fwd+bwd':<16} {'target':<11} {'fused ms':>9} {'unfused ms':>10} "
                 f"{'speedup':>8}")
    for r in b.get("loss_fused_vs_unfused", []):
        lines.append(f"{str(r.get('size', '?')):<16} {r.get('target', '?'):<11} "
                     f"{fmt_num(r.get('fused_ms'), '9.3f')} {fmt_num(r.get('unfused_ms'), '10.3f')} "
                     f"{fmt_num(r.get('speedup'), '7.2f')}x")
    sweep = b.get("row_split_sweep", [])
    if sweep:
        lines.append("row-split sweep (ms, % copy): " + "; ".join(
            f"{r.get('kernel')} {r.get('size')} {fmt_num(r.get('ms'), '.3f')} "
            f"{fmt_num(100 * r['fraction_of_copy'] if isinstance(r.get('fraction_of_copy'), (int, float)) else None, '.1f')}"
            for r in sweep))
    t = b.get("targets", {})
    lines.append(f"targets: >= {t.get('bandwidth_fraction', '?')} of copy met in "
                 f"{t.get('bandwidth_rows_met', '?')} rows; fused >= {t.get('speedup', '?')}x "
                 f"met in {t.get('speedup_cases_met', '?')} cases")
    return lines


def fmt_num(value, spec):
    return format(value, spec) if isinstance(value, (int, float)) else "-"


def train_rows(b):
    """bench_train's rows as a small table (list of lines)."""
    lines = [f"{'model':<7} {'batch':>5} {'run':<24} {'prec':<4} {'img/s':>9} {'peak MB':>9} "
             f"{'tint/this':>9} {'floor img/s':>11} {'% floor':>7}"]
    for r in b.get("rows", []):
        run = r.get("framework", "?") + " " + r.get("mode", "?")
        head = (f"{r.get('model', '?'):<7} {r.get('batch', '?'):>5} {run:<24} "
                f"{r.get('precision', ''):<4} ")
        if r.get("status") != "ok":
            reason = r.get("reason", "")
            lines.append(head + r.get("status", "?") + (f": {reason[:60]}" if reason else ""))
            continue
        ratio = fmt_num(r.get("speed_ratio"), ".2f")
        if r.get("framework") == "tint" and ratio != "-":
            ratio += "*"
        lines.append(head + f"{fmt_num(r.get('images_per_s'), '9.1f')} "
                     f"{fmt_num(r.get('peak_mb'), '9.0f')} {ratio:>9} "
                     f"{fmt_num(r.get('floor_images_per_s'), '11.1f')} "
                     f"{fmt_num(r.get('floor_pct'), '7.1f')}")
    lines.append("* tint against the fastest PyTorch mode; floor: 3 x forward FLOPs at the "
                 "matmul rate of the row's precision")
    def ok_result(r, key):  # a field of an ok row's result, else None
        return r.get("result", {}).get(key) if r.get("status") == "ok" else None

    for r in b.get("rows", []):
        fallbacks = ok_result(r, "batch_norm_fallbacks")
        if fallbacks:
            lines.append(f"tint {r.get('mode')} {r.get('model')}/{r.get('batch')}: batch norm "
                         f"fallbacks: {'; '.join(fallbacks)}")
    for r in b.get("rows", []):
        algos = ok_result(r, "conv_algorithms")
        if algos:  # how many of the row's cuDNN choices run each math type
            kinds = {}
            for a in algos:
                kind = a.rsplit(", ", 2)[-2] if a.count(", ") >= 2 else "?"
                kinds[kind] = kinds.get(kind, 0) + 1
            lines.append(f"tint {r.get('mode')} {r.get('model')}/{r.get('batch')}: {len(algos)} "
                         "cuDNN convolution choices: " +
                         ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())))
    for r in b.get("rows", []):
        prof = ok_result(r, "profile")
        if not prof:
            continue
        ops = prof.get("ops", [])
        lines.append(f"op profile, {r.get('framework', 'tint')} {r.get('mode')} {r.get('model')} "
                     f"batch {r.get('batch')}: "
                     f"{fmt_num(prof.get('ms_per_step'), '.2f')} ms per step "
                     f"({prof.get('clock', 'each op synchronized')}); "
                     "top ops (calls, ms per step):")
        lines.append("  " + "; ".join(f"{o.get('op')} {fmt_num(o.get('calls_per_step'), '.0f')} "
                                      f"{fmt_num(o.get('ms_per_step'), '.2f')}" for o in ops[:10]))
    return lines


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    logs = sys.argv[1]
    info = {}
    for row in read_tsv(os.path.join(logs, "info.tsv")):
        info[row[0]] = row[1] if len(row) > 1 else ""
    status = read_tsv(os.path.join(logs, "status.tsv"))

    table = []
    table.append(("gpu", info.get("gpu", "n/a")))
    table.append(("commit", info.get("commit", "unknown")))
    if "mode" in info:
        table.append(("mode", info["mode"]))
    table.append(("cuDNN", info.get("cudnn", "n/a")))
    steps = []
    for row in status:
        name, st = row[0], row[1] if len(row) > 1 else "?"
        secs = row[2] if len(row) > 2 else ""
        note = row[3] if len(row) > 3 else ""
        s = f"{name} {st}"
        if secs and secs != "0":
            s += f" {secs}s"
        if note:
            s += f" ({note})"
        steps.append(s)
    table.append(("steps", " | ".join(steps) if steps else "n/a"))
    counts = ctest_counts(logs)
    if counts:
        passed, failed, skipped, total, names = counts
        line = f"{passed} passed, {failed} failed, {skipped} skipped (of {total})"
        if names:
            line += "; failed: " + ", ".join(names[:8]) + (" ..." if len(names) > 8 else "")
        table.append(("ctest", line))
    else:
        table.append(("ctest", "not run (tint_cuda_tests run directly)"))
    table.append(("cuda_tests", cuda_tests_line(logs) or "n/a (no Catch2 summary)"))
    if "cuda_tests_isolated" in info:
        table.append(("isolated", info["cuda_tests_isolated"]))
    table.append(("bench", bench_line(os.path.join(logs, "bench.json")) or "n/a"))
    train = read_json(os.path.join(logs, "bench_train.json"))
    table.append(("train", train_line(train) if train else "n/a"))
    plain = read_json(os.path.join(logs, "bench_train_plain.json"))
    if plain:
        table.append(("plain", "; ".join(
            f"tint --plain {r.get('model')}/{r.get('batch')} "
            f"{fmt_num(r.get('images_per_s'), '.1f')} img/s {fmt_num(r.get('peak_mb'), '.0f')} MB"
            if r.get("status") == "ok" else f"{r.get('model')}/{r.get('batch')} {r.get('status')}"
            for r in plain.get("rows", []))))
    for name in ("train_sample", "evaluate_sample", "experiments"):
        text = read_text(os.path.join(logs, name + ".log"))
        if text:
            last = [l.strip() for l in text.replace("\r", "\n").splitlines() if l.strip()][-3:]
            table.append((name, " | ".join(x[:150] for x in last)))
    table.append(("logs", info.get("logs", logs)))

    width = max(len(k) for k, _ in table)
    print("== tint device check " + "=" * 58)
    for key, value in table:
        print(f"{key:<{width}}  {value}")
    kernels = read_json(os.path.join(logs, "bench_kernels.json"))
    if kernels:
        print("-- bench_kernels " + "-" * 62)
        for line in kernel_rows(kernels):
            print(line)
    if train and train.get("rows"):
        print("-- bench_train " + "-" * 64)
        for line in train_rows(train):
            print(line)
    print("=" * 79)
    return 0


if __name__ == "__main__":
    sys.exit(main())
