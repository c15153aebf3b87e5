#!/usr/bin/python3
"""results_report.py: turns one experiment folder written by scripts/run_experiments.sh into
docs/results.md (Table 1 in the course report's form, further measures, statements computed
from the numbers) and the figures (PNG) that it embeds. Owns the report's layout only; it
computes nothing from images beyond reading the files that apps/evaluate and the trainer
wrote (summary.json, cumulative.csv, per_image.csv, metrics.csv, PNGs).

Usage:
  /usr/bin/python3 scripts/lib/results_report.py --exp EXP [--out docs/results.md]
                                                 [--figures docs/figures]

Input layout (EXP): config.json; prior/<dataset>/prior.png; classifier/summary.json
(optional); train/<dataset>/<loss>/seed<k>/metrics.csv; eval/<dataset>/<method>/seed<k>/
{summary.json, cumulative.csv, per_image.csv, images/<id>}. Fruits is required; Photos and
the classifier are optional (the tables show "—"). Everything is read and checked before
anything is written: a missing file ends the run with one line naming it and exit code 1.
Outputs are written atomically (temporary file, then rename).

Dependencies: numpy and matplotlib (Debian: python3-numpy, python3-matplotlib).
"""
import argparse
import csv
import json
import math
import os
import shlex
import shutil
import sys
import tempfile

# The order and names of the report's Table 1.
METHODS = [("truth", "Ground Truth"), ("gray", "Gray"), ("random", "Random"),
           ("l2", "L2"), ("class", "Class"), ("class-rebal", "Class+rebal")]
LABEL = dict(METHODS)
LOSSES = ["l2", "class", "class-rebal"]
DETERMINISTIC = ["truth", "gray"]  # may be evaluated for one seed only
DATASETS = [("fruits", "Fruits"), ("photos", "Photos")]
DNAME = dict(DATASETS)

# The course report's Table 1 (percent). Photos stands where the report had CelebA.
REPORT_AUC = {
    "fruits": {"truth": 100.0, "gray": 76.9, "random": 74.1, "l2": 76.9, "class": 84.5,
               "class-rebal": 84.3},
    "photos": {"truth": 100.0, "gray": 88.8, "random": 87.4, "l2": 91.5, "class": 92.2,
               "class-rebal": 92.3},
}
REPORT_AUC_NAME = {"fruits": "Fruits", "photos": "CelebA"}
REPORT_VGG_ACC = {"truth": 44.0, "gray": 33.2, "random": 28.2, "l2": 31.7, "class": 35.9,
                  "class-rebal": 39.8}

DASH = "—"
N_EXAMPLES = 6
THUMB = 128  # pixels a thumbnail is upscaled to (nearest neighbour), at least


class ReportError(Exception):
    """A missing or unreadable input: reported as one line, exit code 1."""


# ---- reading -------------------------------------------------------------------------------

def need(path):
    if not os.path.isfile(path):
        raise ReportError("missing " + path)
    return path


def read_json(path):
    need(path)
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        raise ReportError("cannot read %s: %s" % (path, str(e).splitlines()[0]))


def read_csv(path, required_columns):
    need(path)
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
            header = rows[0].keys() if rows else []
    except (OSError, csv.Error, UnicodeDecodeError) as e:
        raise ReportError("cannot read %s: %s" % (path, e))
    if not rows:
        raise ReportError("no rows in " + path)
    missing = [c for c in required_columns if c not in header]
    if missing:
        raise ReportError("%s lacks column(s) %s" % (path, ", ".join(missing)))
    return rows


def num(value):
    """A float from a CSV/JSON field; None for empty, null or non-numeric."""
    if value is None or value == "":
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def seed_dir(exp, dataset, method, seed):
    return os.path.join(exp, "eval", dataset, method, "seed%d" % seed)


def read_cumulative(path):
    rows = read_csv(path, ["threshold", "pixels_within", "images_within"])
    t, px, im = [], [], []
    for r in rows:
        vals = [num(r["threshold"]), num(r["pixels_within"]), num(r["images_within"])]
        if None in vals:
            raise ReportError("non-numeric row in %s: %s" % (path, ",".join(r.values())))
        t.append(vals[0]); px.append(vals[1]); im.append(vals[2])
    return {"threshold": t, "pixels": px, "images": im}


def read_per_image(path):
    rows = read_csv(path, ["id", "auc"])
    out = []
    for r in rows:
        out.append({"id": r["id"], "auc": num(r["auc"]), "mean_error": num(r.get("mean_error")),
                    "label": r.get("label") or "", "predicted": r.get("predicted") or ""})
    return out


def read_metrics(path):
    rows = read_csv(path, ["epoch", "train_loss", "val_loss"])
    by_epoch = {}
    for r in rows:  # a resumed run may repeat an epoch: the last row wins
        e = num(r["epoch"])
        if e is None:
            continue
        by_epoch[int(e)] = {"train_loss": num(r["train_loss"]), "val_loss": num(r["val_loss"]),
                            "val_auc": num(r.get("val_auc")),
                            "images_per_s": num(r.get("images_per_s")),
                            "data_wait_s": num(r.get("data_wait_s"))}
    epochs = sorted(by_epoch)
    return {"epoch": epochs, **{k: [by_epoch[e][k] for e in epochs]
                               for k in ("train_loss", "val_loss", "val_auc", "images_per_s",
                                         "data_wait_s")}}


def discover_seeds(exp):
    base = os.path.join(exp, "eval", "fruits", "class-rebal")
    seeds = []
    if os.path.isdir(base):
        for name in os.listdir(base):
            if name.startswith("seed") and name[4:].isdigit():
                seeds.append(int(name[4:]))
    return sorted(seeds)


def image_path(method_dir, image_id):
    """images/<id>; apps/evaluate writes every image as PNG, so <id> with .png also counts."""
    path = os.path.join(method_dir, "images", *image_id.split("/"))
    png = os.path.splitext(path)[0] + ".png"
    if not os.path.isfile(path) and os.path.isfile(png):
        return png
    return need(path)


def load_dataset(exp, dataset, seeds):
    """Everything a dataset contributes; raises ReportError on the first missing piece."""
    ref = seeds[0]
    d = {"name": dataset, "summary": {}, "eval_seed": {}, "train": {}}
    for method, _ in METHODS:
        if method in DETERMINISTIC:
            present = [s for s in seeds if os.path.isdir(seed_dir(exp, dataset, method, s))]
            if not present and os.path.isdir(seed_dir(exp, dataset, method, 0)):
                present = [0]
            if not present:
                raise ReportError("missing " + os.path.join(seed_dir(exp, dataset, method, ref),
                                                            "summary.json"))
            method_seeds = present
        else:
            method_seeds = seeds
        d["summary"][method] = {}
        for s in method_seeds:
            p = os.path.join(seed_dir(exp, dataset, method, s), "summary.json")
            summary = read_json(p)
            if num(summary.get("auc_pooled")) is None:
                raise ReportError("%s has no numeric auc_pooled" % p)
            d["summary"][method][s] = summary
        # the seed whose curves and images the figures show
        d["eval_seed"][method] = ref if ref in method_seeds else method_seeds[0]
    d["cumulative"] = {}
    for method, _ in METHODS:
        sd = seed_dir(exp, dataset, method, d["eval_seed"][method])
        d["cumulative"][method] = read_cumulative(os.path.join(sd, "cumulative.csv"))
    rebal_dir = seed_dir(exp, dataset, "class-rebal", d["eval_seed"]["class-rebal"])
    d["per_image"] = read_per_image(os.path.join(rebal_dir, "per_image.csv"))
    ids = sorted(r["id"] for r in d["per_image"])
    n = min(N_EXAMPLES, len(ids))
    picks = sorted({round(i * (len(ids) - 1) / max(n - 1, 1)) for i in range(n)})
    d["example_ids"] = [ids[i] for i in picks]
    scored = sorted((r for r in d["per_image"] if r["auc"] is not None),
                    key=lambda r: (r["auc"], r["id"]))
    d["failures"] = scored[:N_EXAMPLES]
    d["images"] = {}
    wanted = {m: list(d["example_ids"]) for m in ("gray", "l2", "class", "class-rebal", "truth")}
    for m in ("gray", "class-rebal", "truth"):
        wanted[m] += [r["id"] for r in d["failures"]]
    for m, id_list in wanted.items():
        sd = seed_dir(exp, dataset, m, d["eval_seed"][m])
        for i in id_list:
            d["images"][(m, i)] = image_path(sd, i)
    for loss in LOSSES:
        d["train"][loss] = {}
        for s in seeds:
            p = os.path.join(exp, "train", dataset, loss, "seed%d" % s, "metrics.csv")
            d["train"][loss][s] = read_metrics(p)
    d["prior_png"] = need(os.path.join(exp, "prior", dataset, "prior.png"))
    return d


def load(exp):
    if not os.path.isdir(exp):
        raise ReportError("missing experiment folder " + exp)
    config = read_json(os.path.join(exp, "config.json"))
    if not isinstance(config, dict):
        raise ReportError("config.json is not a JSON object: " + os.path.join(exp, "config.json"))
    seeds = config.get("seeds")
    if isinstance(seeds, list) and seeds and all(isinstance(s, int) for s in seeds):
        seeds = list(seeds)
    else:
        seeds = discover_seeds(exp)
        if not seeds:
            raise ReportError("missing " + os.path.join(seed_dir(exp, "fruits", "class-rebal", 0),
                                                        "summary.json"))
    data = {"exp": exp, "config": config, "seeds": seeds, "datasets": {}}
    for dataset, _ in DATASETS:
        if dataset == "photos" and not os.path.isdir(os.path.join(exp, "eval", dataset)):
            continue  # optional
        data["datasets"][dataset] = load_dataset(exp, dataset, seeds)
    cpath = os.path.join(exp, "classifier", "summary.json")
    data["classifier"] = read_json(cpath) if os.path.isfile(cpath) else None
    return data


# ---- numbers -------------------------------------------------------------------------------

def stats(values):
    """(mean, sample std or None, n) of the non-None values; None when there are none."""
    v = [x for x in values if x is not None]
    if not v:
        return None
    n = len(v)
    mean = sum(v) / n
    sd = math.sqrt(sum((x - mean) ** 2 for x in v) / (n - 1)) if n > 1 else None
    return mean, sd, n


def field(d, method, key, scale=1.0):
    """{seed: value} of a summary field (scaled), None entries dropped."""
    out = {}
    for s, summary in d["summary"][method].items():
        x = num(summary.get(key))
        if x is not None:
            out[s] = x * scale
    return out


def cell(st, digits=1):
    if st is None:
        return DASH
    mean, sd, n = st
    if n == 1:
        return "%.*f" % (digits, mean)
    return "%.*f ± %.*f (%d seeds)" % (digits, mean, digits, sd, n)


def fmt_pct(x):
    return "%.1f %%" % x


def ranking(values):
    """'A > B = C > D' from {method: value} (rounded to 0.01), in Table 1's order for ties."""
    items = sorted(values.items(), key=lambda kv: -kv[1])
    parts, prev = [], None
    for m, v in items:
        if prev is not None:
            parts.append(" = " if abs(prev - v) < 0.005 else " > ")
        parts.append(LABEL[m])
        prev = v
    return "".join(parts)


def pair_agreement(ours, theirs):
    """Over method pairs both rank (no tie in theirs): how many are ordered the same."""
    methods = [m for m, _ in METHODS if m in ours and m in theirs]
    same = total = 0
    flipped = []
    for i, a in enumerate(methods):
        for b in methods[i + 1:]:
            t = theirs[a] - theirs[b]
            if abs(t) < 0.005:
                continue
            total += 1
            o = ours[a] - ours[b]
            if o * t > 0:
                same += 1
            else:
                hi, lo = (a, b) if t > 0 else (b, a)
                flipped.append("%s vs %s" % (LABEL[hi], LABEL[lo]))
    return same, total, flipped


def compare_sentence(dname, a, b, va, vb, what="AuC", unit=" points"):
    """A sentence comparing method a with b from {seed: value} dicts (percent)."""
    sa, sb = stats(va.values()), stats(vb.values())
    if sa is None or sb is None:
        return None
    diff = sa[0] - sb[0]
    if abs(diff) < 0.005:
        rel = "equal to"
    else:
        rel = "%.2f%s %s" % (abs(diff), unit, "above" if diff > 0 else "below")
    text = "On %s, %s's %s (%s) is %s %s's (%s)" % (
        dname, LABEL[a], what, fmt_pct(sa[0]), rel, LABEL[b], fmt_pct(sb[0]))
    spread = math.sqrt((sa[1] or 0.0) ** 2 + (sb[1] or 0.0) ** 2)
    if sa[1] is None and sb[1] is None:
        text += "; a single seed each, so no seed spread to compare with."
    else:
        verdict = "larger" if abs(diff) > spread else "not larger"
        text += ("; the difference is %s than the seeds' combined spread "
                 "(√(s₁² + s₂²) = %.2f points)" % (verdict, spread))
        common = sorted(set(va) & set(vb))
        if len(common) > 1:
            ahead = sum(1 for s in common if va[s] > vb[s])
            text += ", and %s is ahead in %d of %d seeds" % (LABEL[a], ahead, len(common))
        text += "."
    return text


def statements(data):
    out = []
    learned = ["l2", "class", "class-rebal"]
    for dataset, d in data["datasets"].items():
        dname = DNAME[dataset]
        auc = {m: field(d, m, "auc_pooled", 100.0) for m, _ in METHODS}
        means = {m: stats(v.values())[0] for m, v in auc.items() if v}
        rep = REPORT_AUC[dataset]
        rname = REPORT_AUC_NAME[dataset]
        for other in ("l2", "class"):
            s = compare_sentence(dname, "class-rebal", other, auc["class-rebal"], auc[other])
            if s:
                r = rep["class-rebal"] - rep[other]
                s += " In the report's %s column, Class+rebal is %s %s." % (
                    rname, "%.1f points %s" % (abs(r), "above" if r > 0 else "below")
                    if abs(r) >= 0.05 else "equal to", LABEL[other])
                out.append(s)
        gray = means["gray"]
        behind = [m for m in learned if means[m] <= gray]
        deltas = ", ".join("%s %+.2f" % (LABEL[m], means[m] - gray) for m in learned)
        rep_behind = [m for m in learned if rep[m] <= rep["gray"]]
        if behind:
            s = ("On %s, not every learned model beats Gray (%s): %s %s at or below it "
                 "(differences in points: %s)." % (
                     dname, fmt_pct(gray), ", ".join(LABEL[m] for m in behind),
                     "is" if len(behind) == 1 else "are", deltas))
        else:
            s = ("On %s, every learned model beats Gray (%s) on mean AuC (differences in "
                 "points: %s)." % (dname, fmt_pct(gray), deltas))
        s += " In the report's %s column, %s." % (
            rname, "every learned model is above Gray" if not rep_behind else
            ", ".join(LABEL[m] for m in rep_behind) + " %s not above Gray" %
            ("is" if len(rep_behind) == 1 else "are"))
        out.append(s)
        same, total, flipped = pair_agreement(means, rep)
        s = ("%s AuC ranking: %s. The report's %s: %s. %d of %d method pairs that the report "
             "separates are in the same order" % (dname, ranking(means), rname, ranking(rep),
                                                   same, total))
        s += (" (reversed: %s)." % "; ".join(flipped)) if flipped else "."
        out.append(s)
        chroma = {m: stats(field(d, m, "chroma_pred").values()) for m in learned}
        truth_chroma = stats(field(d, "truth", "chroma_true").values()) or \
            stats(field(d, "class-rebal", "chroma_true").values())
        if chroma["l2"] and chroma["class-rebal"]:
            c_l2, c_cr = chroma["l2"][0], chroma["class-rebal"][0]
            s = ("On %s, L2's mean predicted chroma (%.1f) is %s Class+rebal's (%.1f)" % (
                dname, c_l2, "below" if c_l2 < c_cr else "above" if c_l2 > c_cr else "equal to",
                c_cr))
            if truth_chroma:
                s += "; the ground truth's is %.1f" % truth_chroma[0]
            s += " (the report expects regression to desaturate)."
            out.append(s)
        reb = {m: field(d, m, "auc_rebalanced", 100.0) for m in ("class", "class-rebal")}
        if reb["class"] and reb["class-rebal"]:
            s = compare_sentence(dname, "class-rebal", "class", reb["class-rebal"], reb["class"],
                                 what="class-rebalanced AuC")
            out.append(s)
    if "fruits" in data["datasets"]:
        d = data["datasets"]["fruits"]
        acc = {m: field(d, m, "classifier_accuracy", 100.0) for m, _ in METHODS}
        means = {m: stats(v.values())[0] for m, v in acc.items() if v}
        if len(means) >= 2:
            same, total, flipped = pair_agreement(means, REPORT_VGG_ACC)
            s = ("Fruits classifier accuracy ranking: %s. The report's VGG: %s. %d of %d method "
                 "pairs are in the same order" % (ranking(means), ranking(REPORT_VGG_ACC),
                                                  same, total))
            s += (" (reversed: %s)." % "; ".join(flipped)) if flipped else "."
            learned_present = [m for m in learned if m in means]
            if learned_present:
                best = max(learned_present, key=lambda m: means[m])
                rep_best = max(learned, key=lambda m: REPORT_VGG_ACC[m])
                s += " The best learned model by accuracy is %s (%s); in the report, %s." % (
                    LABEL[best], fmt_pct(means[best]), LABEL[rep_best])
            out.append(s)
            if "truth" in means:
                out.append("Our classifier scores %s on the Fruits ground truth, the report's VGG "
                           "44.0 %%: absolute accuracies depend on the classifier and the "
                           "classes, so compare orderings, not values." % fmt_pct(means["truth"]))
        else:
            out.append("No classifier accuracy on Fruits: the accuracy column shows %s." % DASH)
    return out


# ---- writing -------------------------------------------------------------------------------

def write_atomically(path, write):
    """Calls write(tmp) on a temporary file next to path, then renames it to path; on any
    failure the temporary file is removed and path is left as it was."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=os.path.splitext(path)[1], dir=folder)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_text(path, text):
    def write(tmp):
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
    write_atomically(path, write)


def copy_file(src, dst):
    write_atomically(dst, lambda tmp: shutil.copyfile(src, tmp))


def save_figure(fig, path):
    import matplotlib.pyplot as plt
    try:
        write_atomically(path, lambda tmp: fig.savefig(tmp, format="png", dpi=110,
                                                       bbox_inches="tight",
                                                       metadata={"Software": None}))
    finally:
        plt.close(fig)


# ---- figures -------------------------------------------------------------------------------

def load_rgb(path):
    import matplotlib.pyplot as plt
    import numpy as np
    try:
        img = plt.imread(path)
    except Exception as e:  # noqa: BLE001 - any decoder failure is an unreadable input
        raise ReportError("cannot read image %s: %s" % (path, e))
    img = np.asarray(img)
    if img.dtype.kind in "ui":  # PIL-decoded formats come back as integers
        img = img / np.iinfo(img.dtype).max
    img = img.astype(np.float32)
    if img.ndim == 2:
        img = np.stack([img] * 3, axis=-1)
    elif img.shape[2] == 1:
        img = np.repeat(img, 3, axis=2)
    elif img.shape[2] == 2:  # grey + alpha
        img = np.repeat(img[:, :, :1], 3, axis=2)
    img = img[:, :, :3]
    k = max(1, int(math.ceil(THUMB / max(img.shape[0], img.shape[1]))))
    return np.repeat(np.repeat(img, k, axis=0), k, axis=1)


def image_grid(path, rows, columns, title):
    """rows: [(label, [image path per column])]; columns: column titles."""
    import matplotlib.pyplot as plt
    nr, nc = len(rows), max(1, len(columns))
    fig, axes = plt.subplots(nr, nc, figsize=(1.7 * nc + 0.8, 1.75 * nr + 0.5), squeeze=False)
    for r, (label, paths) in enumerate(rows):
        for c in range(nc):
            ax = axes[r][c]
            ax.set_xticks([]); ax.set_yticks([])
            if c < len(paths):
                ax.imshow(load_rgb(paths[c]), interpolation="nearest")
            else:
                ax.axis("off")
            if r == 0 and c < len(columns):
                ax.set_title(columns[c], fontsize=8)
            if c == 0:
                ax.set_ylabel(label, fontsize=10)
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    save_figure(fig, path)


def short_id(i, limit=22):
    base = i.split("/")[-1]
    base = os.path.splitext(base)[0]
    return base if len(base) <= limit else base[:limit - 1] + "…"


def fig_examples(d, path):
    ids = d["example_ids"]
    rows = [("Grey input", "gray"), ("L2", "l2"), ("Class", "class"),
            ("Class+rebal", "class-rebal"), ("Ground truth", "truth")]
    image_grid(path, [(lab, [d["images"][(m, i)] for i in ids]) for lab, m in rows],
               [short_id(i) for i in ids],
               "%s: test images (seed %d)" % (DNAME[d["name"]], d["eval_seed"]["class-rebal"]))


def fig_failures(d, path):
    fails = d["failures"]
    rows = [("Grey input", "gray"), ("Class+rebal", "class-rebal"), ("Ground truth", "truth")]
    image_grid(path, [(lab, [d["images"][(m, r["id"])] for r in fails]) for lab, m in rows],
               ["%s\nAuC %.1f %%" % (short_id(r["id"]), 100 * r["auc"]) for r in fails],
               "%s: lowest per-image AuC, Class+rebal (seed %d)" % (
                   DNAME[d["name"]], d["eval_seed"]["class-rebal"]))


def fig_loss(d, seeds, path):
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    ref = seeds[0]
    fig, axes = plt.subplots(1, 4, figsize=(17, 3.9))
    ylabels = {"l2": "L2 loss per pixel", "class": "cross-entropy per pixel",
               "class-rebal": "rebalanced cross-entropy per pixel"}
    colors = {"l2": "C0", "class": "C1", "class-rebal": "C2"}
    for ax, loss in zip(axes, LOSSES):
        for s in seeds:
            m = d["train"][loss][s]
            main = s == ref
            kw = dict(lw=2.0 if main else 0.8, alpha=1.0 if main else 0.35)
            ax.plot(m["epoch"], [float("nan") if v is None else v for v in m["train_loss"]],
                    ls="--", color="C0", **kw)
            ax.plot(m["epoch"], [float("nan") if v is None else v for v in m["val_loss"]],
                    ls="-", color="C3", **kw)
        ax.set_title("%s loss" % LABEL[loss])
        ax.set_xlabel("epoch")
        ax.set_ylabel(ylabels[loss])
        ax.grid(alpha=0.3)
        handles = [Line2D([], [], color="C0", ls="--", lw=2, label="train (seed %d)" % ref),
                   Line2D([], [], color="C3", ls="-", lw=2, label="validation (seed %d)" % ref)]
        if len(seeds) > 1:
            handles.append(Line2D([], [], color="grey", lw=0.8, alpha=0.5, label="other seeds"))
        ax.legend(handles=handles, fontsize=8)
    ax = axes[3]
    for loss in LOSSES:
        for s in seeds:
            m = d["train"][loss][s]
            if all(v is None for v in m["val_auc"]):
                continue
            main = s == ref
            ax.plot(m["epoch"], [float("nan") if v is None else 100 * v for v in m["val_auc"]],
                    color=colors[loss], lw=2.0 if main else 0.8, alpha=1.0 if main else 0.35,
                    label=LABEL[loss] if main else None)
    ax.set_title("Validation AuC")
    ax.set_xlabel("epoch")
    ax.set_ylabel("AuC (%)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.suptitle("%s: training curves (the losses have different units; one panel each)"
                 % DNAME[d["name"]], fontsize=11)
    fig.tight_layout()
    save_figure(fig, path)


def curve_area(t, y):
    """Area under y(t) over [t0, tmax], normalised to percent of the full box."""
    area = 0.0
    for i in range(1, len(t)):
        area += (t[i] - t[i - 1]) * (y[i] + y[i - 1]) / 2
    span = t[-1] - t[0]
    return 100.0 * area / span if span > 0 else float("nan")


def fig_cumulative(d, path):
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.4))
    for i, (m, label) in enumerate(METHODS):
        c = d["cumulative"][m]
        auc = num(d["summary"][m][d["eval_seed"][m]].get("auc_pooled"))
        style = dict(color="C%d" % i, lw=2.2 if m == "class-rebal" else 1.5,
                     ls=":" if m in ("gray", "random") else "-")
        axes[0].plot(c["threshold"], [100 * v for v in c["pixels"]],
                     label="%s (AuC %.1f %%)" % (label, 100 * auc), **style)
        axes[1].plot(c["threshold"], [100 * v for v in c["images"]],
                     label="%s (area %.1f %%)" % (label, curve_area(c["threshold"], c["images"])),
                     **style)
    axes[0].set_title("Per pixel")
    axes[0].set_ylabel("pixels with ab error ≤ threshold (%)")
    axes[1].set_title("Per image")
    axes[1].set_ylabel("images with mean ab error ≤ threshold (%)")
    for ax in axes:
        ax.set_xlabel("threshold (ab units)")
        ax.set_xlim(0, 150)
        ax.set_ylim(0, 101)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="lower right")
    fig.suptitle("%s: cumulative error (seed %d)" % (DNAME[d["name"]],
                                                     d["eval_seed"]["class-rebal"]), fontsize=11)
    fig.tight_layout()
    save_figure(fig, path)


def fig_auc_seeds(data, path):
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(10, 4.2))
    present = list(data["datasets"])
    width = 0.8 / max(1, len(present))
    for j, dataset in enumerate(present):
        d = data["datasets"][dataset]
        xs, means, sds = [], [], []
        for i, (m, _) in enumerate(METHODS):
            vals = field(d, m, "auc_pooled", 100.0)
            st = stats(vals.values())
            x = i + (j - (len(present) - 1) / 2) * width
            xs.append(x); means.append(st[0]); sds.append(st[1] or 0.0)
            ax.scatter([x] * len(vals), list(vals.values()), s=10, color="k", zorder=3,
                       label="single seeds" if (i == 0 and j == 0) else None)
        ax.bar(xs, means, width * 0.9, yerr=sds, capsize=3, color="C%d" % j, alpha=0.75,
               label="%s (mean ± sample std)" % DNAME[dataset])
        ax.scatter(xs, [REPORT_AUC[dataset][m] for m, _ in METHODS], marker="x", s=40,
                   color="C%d" % (j + 3), zorder=4,
                   label="report, %s" % REPORT_AUC_NAME[dataset])
    ax.set_xticks(range(len(METHODS)))
    ax.set_xticklabels([lab for _, lab in METHODS])
    ax.set_ylabel("AuC (%)")
    lo = min(min(REPORT_AUC[ds].values()) for ds in present)
    for dataset in present:
        for m, _ in METHODS:
            lo = min([lo] + list(field(data["datasets"][dataset], m, "auc_pooled", 100).values()))
    ax.set_ylim(max(0, lo - 5), 101)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.set_title("AuC per method and dataset; error bars: sample std over seeds")
    fig.tight_layout()
    save_figure(fig, path)


# ---- markdown ------------------------------------------------------------------------------

def hms(seconds):
    s = num(seconds)
    if s is None:
        return None
    s = int(round(s))
    return "%d h %02d min %02d s" % (s // 3600, s % 3600 // 60, s % 60)


def md_escape(value):
    return str(value).replace("|", "\\|").replace("\n", " ")


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(md_escape(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def display_path(path):
    """A path relative to the current directory when it lies below it."""
    rel = os.path.relpath(os.path.abspath(path))
    return path if rel.startswith("..") else rel


def render(data, out_path, fig_dir):
    cfg = data["config"]
    seeds = data["seeds"]
    md_dir = os.path.dirname(os.path.abspath(out_path))

    def link(name):
        return os.path.relpath(os.path.join(os.path.abspath(fig_dir), name), md_dir)

    def cfgv(key, default=DASH):
        v = cfg.get(key)
        if v is None or v == "":
            return default
        return v if isinstance(v, str) else json.dumps(v)

    L = []
    L.append("# Results: colorization experiments (scale %s)" % cfgv("scale"))
    L.append("")
    L.append("Generated by `scripts/lib/results_report.py` from the experiment folder `%s`; "
             "do not edit by hand — regenerate it. Every number below is read from that folder; "
             "the statements in \"What the numbers say\" are computed from them." %
             display_path(data["exp"]))
    L.append("")
    L.append("## How it was made")
    L.append("")
    wall = hms(cfg.get("seconds"))
    bullets = [
        ("Scale", cfgv("scale")), ("Commit", cfgv("commit")),
        ("Command", "`%s`" % cfgv("command") if cfg.get("command") else DASH),
        ("Machine", cfgv("machine")), ("Seeds", ", ".join(str(s) for s in seeds)),
        ("Wall time", "%s (started %s, finished %s)" % (wall or DASH, cfgv("started"),
                                                          cfgv("finished"))),
        ("Model", "%s, width %s, %s × %s inputs" % (cfgv("model"), cfgv("width"), cfgv("size"),
                                                   cfgv("size"))),
        ("Training", "epochs %s, batch %s, learning rate %s" % (cfgv("epochs"), cfgv("batch"),
                                                                cfgv("lr"))),
        ("Datasets", cfgv("datasets")),
    ]
    for k, v in bullets:
        L.append("- %s: %s" % (k, v))
    clf = data["classifier"]
    if clf:
        parts = []
        if clf.get("model"):
            parts.append(str(clf["model"]))
        if isinstance(clf.get("classes"), list):
            parts.append("%d classes" % len(clf["classes"]))
        for key, name in (("test_accuracy", "test accuracy"), ("val_accuracy", "val accuracy")):
            if num(clf.get(key)) is not None:
                parts.append("%s %.1f %%" % (name, 100 * num(clf[key])))
        for key in ("epochs", "size"):
            if clf.get(key) is not None:
                parts.append("%s %s" % (key, clf[key]))
        if num(clf.get("seconds")) is not None:
            parts.append("trained in %s" % hms(clf["seconds"]))
        L.append("- Fruits classifier (`classifier/summary.json`): %s" % ", ".join(parts))
    else:
        L.append("- Fruits classifier: none in this experiment (no `classifier/summary.json`).")
    L.append("")
    L.append("Regenerate this page (from the repository root):")
    L.append("")
    L.append("```sh")
    L.append("/usr/bin/python3 scripts/lib/results_report.py --exp %s --out %s --figures %s" % (
        shlex.quote(display_path(data["exp"])), shlex.quote(display_path(out_path)),
        shlex.quote(display_path(fig_dir))))
    L.append("```")
    L.append("")
    L.append("<details><summary>config.json as written</summary>")
    L.append("")
    L.append("```json")
    L.append(json.dumps(cfg, indent=2, sort_keys=True))
    L.append("```")
    L.append("")
    L.append("</details>")
    L.append("")

    # Table 1
    ds = data["datasets"]
    L.append("## Table 1")
    L.append("")
    L.append("The report's Table 1 with our numbers: mean ± sample standard deviation over seeds "
             "(just the value when one seed was evaluated: Ground Truth and Gray are "
             "deterministic). AuC is the area under the per-pixel cumulative ab-error curve "
             "for thresholds 0–150, pooled over the test split's pixels, in percent. "
             "**Our Photos set stands where the report had CelebA: a different dataset**, so "
             "that column compares orderings, not values. The report's accuracy column is a "
             "VGG classifier's; ours is the classifier described above.")
    L.append("")
    header = ["Method", "Fruits AuC (%)", "report Fruits", "Photos AuC (%)", "report CelebA",
              "Fruits classifier acc. (%)", "report VGG acc."]
    rows = []
    for m, label in METHODS:
        fr = stats(field(ds["fruits"], m, "auc_pooled", 100).values())
        ph = stats(field(ds["photos"], m, "auc_pooled", 100).values()) if "photos" in ds else None
        acc = stats(field(ds["fruits"], m, "classifier_accuracy", 100).values())
        rows.append([label, cell(fr), "%.1f" % REPORT_AUC["fruits"][m], cell(ph),
                     "%.1f" % REPORT_AUC["photos"][m], cell(acc), "%.1f" % REPORT_VGG_ACC[m]])
    L.append(table(header, rows))
    L.append("")
    if "photos" not in ds:
        L.append("Photos was not evaluated in this experiment (no `eval/photos`).")
        L.append("")

    L.append("## More measures")
    L.append("")
    L.append("Per dataset, mean ± sample std over seeds: the mean of per-image AuCs; the "
             "class-rebalanced AuC (Zhang et al.: each pixel weighted by the inverse "
             "frequency of its ground-truth colour bin); the mean ab error per pixel; the mean "
             "chroma √(a² + b²) of the prediction and of the ground truth.")
    L.append("")
    for dataset, dname in DATASETS:
        if dataset not in ds:
            continue
        d = ds[dataset]
        L.append("**%s** (%s test images)" % (dname, ", ".join(sorted(
            {str(s.get("images")) for m, _ in METHODS for s in d["summary"][m].values()}))))
        L.append("")
        rows = []
        for m, label in METHODS:
            rows.append([label,
                         cell(stats(field(d, m, "auc_per_image_mean", 100).values())),
                         cell(stats(field(d, m, "auc_rebalanced", 100).values())),
                         cell(stats(field(d, m, "mean_error").values()), 2),
                         cell(stats(field(d, m, "chroma_pred").values())),
                         cell(stats(field(d, m, "chroma_true").values()))])
        L.append(table(["Method", "AuC per-image mean (%)", "Rebalanced AuC (%)",
                        "Mean ab error", "Chroma predicted", "Chroma true"], rows))
        L.append("")

    L.append("Per-seed AuC (%), pooled:")
    L.append("")
    header = ["Dataset", "Method"] + ["seed %d" % s for s in seeds]
    rows = []
    for dataset, dname in DATASETS:
        if dataset not in ds:
            continue
        for m, label in METHODS:
            vals = field(ds[dataset], m, "auc_pooled", 100)
            rows.append([dname, label] + ["%.2f" % vals[s] if s in vals else DASH
                                          for s in seeds])
    L.append(table(header, rows))
    L.append("")

    L.append("## Training")
    L.append("")
    L.append("From `train/<dataset>/<loss>/seed<k>/metrics.csv`, mean ± sample std over seeds "
             "of each run's last epoch (losses per pixel; their units differ between L2 and "
             "the classification losses).")
    L.append("")
    rows = []
    for dataset, dname in DATASETS:
        if dataset not in ds:
            continue
        for loss in LOSSES:
            runs = ds[dataset]["train"][loss]

            def last(key, runs=runs):
                return [next((v for v in reversed(r[key]) if v is not None), None)
                        for r in runs.values()]
            best = [max([v for v in r["val_auc"] if v is not None], default=None)
                    for r in runs.values()]
            speed = [stats(r["images_per_s"]) for r in runs.values()]
            rows.append([dname, LABEL[loss],
                         cell(stats([r["epoch"][-1] if r["epoch"] else None
                                     for r in runs.values()]), 0),
                         cell(stats(last("train_loss")), 4), cell(stats(last("val_loss")), 4),
                         cell(stats([None if b is None else 100 * b for b in best])),
                         cell(stats([s[0] if s else None for s in speed]), 0)])
    L.append(table(["Dataset", "Loss", "Epochs", "Final train loss", "Final val loss",
                    "Best val AuC (%)", "Images/s"], rows))
    L.append("")

    L.append("## What the numbers say")
    L.append("")
    L.append("Computed from the tables above each time the page is generated. A difference "
             "\"larger than the seed spread\" means larger than √(s₁² + s₂²) of the two "
             "methods' sample standard deviations: a rough guide with few seeds, not a test.")
    L.append("")
    for s in statements(data):
        L.append("- " + s)
    L.append("")

    L.append("## Figures")
    L.append("")
    for dataset, dname in DATASETS:
        if dataset not in ds:
            continue
        seed = ds[dataset]["eval_seed"]["class-rebal"]
        caps = [
            ("fig2_prior_%s.png" % dataset, "Figure 2 (%s): the quantised ab gamut and the "
             "log prior of the training split's colours." % dname),
            ("fig3_examples_%s.png" % dataset, "Figure 3 (%s): six test images evenly spaced "
             "through the sorted ids; rows: grey input, L2, Class, Class+rebal (seed %d), "
             "ground truth." % (dname, seed)),
            ("fig4_loss_%s.png" % dataset, "Figure 4 (%s): training (dashed) and validation "
             "(solid) loss per epoch, one panel per loss because their units differ; seed %d "
             "bold, other seeds thin. Last panel: validation AuC." % (dname, seeds[0])),
            ("fig5_cumulative_%s.png" % dataset, "Figure 5 (%s): cumulative ab error per "
             "pixel (legend: pooled AuC, as in Table 1) and per image (legend: area under "
             "that curve), seed %d." % (dname, seed)),
            ("fig6_failures_%s.png" % dataset, "Figure 6 (%s): the six test images with the "
             "lowest per-image AuC under Class+rebal (seed %d)." % (dname, seed)),
        ]
        for name, cap in caps:
            L.append("![%s](%s)" % (cap.split(":")[0], link(name)))
            L.append("")
            L.append("*%s*" % cap)
            L.append("")
    L.append("![AuC per seed](%s)" % link("fig_auc_seeds.png"))
    L.append("")
    L.append("*AuC per method and dataset: bars are means, error bars the sample standard "
             "deviation over seeds, dots single seeds, crosses the report's numbers (CelebA for "
             "Photos).*")
    L.append("")
    return "\n".join(L)


def make_figures(data, fig_dir):
    written = []
    for dataset, d in data["datasets"].items():
        jobs = [("fig2_prior_%s.png" % dataset, lambda p, d=d: copy_file(d["prior_png"], p)),
                ("fig3_examples_%s.png" % dataset, lambda p, d=d: fig_examples(d, p)),
                ("fig4_loss_%s.png" % dataset, lambda p, d=d: fig_loss(d, data["seeds"], p)),
                ("fig5_cumulative_%s.png" % dataset, lambda p, d=d: fig_cumulative(d, p)),
                ("fig6_failures_%s.png" % dataset, lambda p, d=d: fig_failures(d, p))]
        for name, job in jobs:
            path = os.path.join(fig_dir, name)
            job(path)
            written.append(path)
    path = os.path.join(fig_dir, "fig_auc_seeds.png")
    fig_auc_seeds(data, path)
    written.append(path)
    return written


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--exp", required=True, help="experiment folder (run_experiments.sh output)")
    ap.add_argument("--out", default="docs/results.md", help="markdown to write")
    ap.add_argument("--figures", default="docs/figures", help="folder for the PNG figures")
    args = ap.parse_args(argv)
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot  # noqa: F401
        import numpy  # noqa: F401
    except ImportError as e:
        print("results_report: error: %s (install python3-matplotlib and python3-numpy)" % e,
              file=sys.stderr)
        return 1
    try:
        data = load(args.exp)
        os.makedirs(args.figures, exist_ok=True)
        written = make_figures(data, args.figures)
        md = render(data, args.out, args.figures)
        write_text(args.out, md)
    except ReportError as e:
        print("results_report: error: %s" % e, file=sys.stderr)
        return 1
    print("results_report: wrote %s and %d figures in %s" % (args.out, len(written),
                                                             args.figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
