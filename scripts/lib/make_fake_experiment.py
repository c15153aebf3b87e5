#!/usr/bin/python3
"""make_fake_experiment.py: fabricates a small experiment folder in the layout that
scripts/run_experiments.sh writes and scripts/lib/results_report.py reads (random but
plausible numbers, 16 x 16 PNG images). Owned by the results_report test
(tests/test_results_report.py); also handy to preview the report:

  /usr/bin/python3 scripts/lib/make_fake_experiment.py /tmp/fake-exp
  /usr/bin/python3 scripts/lib/results_report.py --exp /tmp/fake-exp --out /tmp/r/results.md \
      --figures /tmp/r/figures

Needs numpy and matplotlib (images are written with matplotlib's PNG writer).
"""
import argparse
import json
import os
import sys

import numpy as np

METHODS = ["truth", "gray", "random", "l2", "class", "class-rebal"]
LOSSES = ["l2", "class", "class-rebal"]
BASE_AUC = {"fruits": {"truth": 1.0, "gray": 0.77, "random": 0.74, "l2": 0.79, "class": 0.84,
                       "class-rebal": 0.845},
            "photos": {"truth": 1.0, "gray": 0.88, "random": 0.87, "l2": 0.91, "class": 0.92,
                       "class-rebal": 0.925}}
BASE_ACC = {"truth": 0.60, "gray": 0.35, "random": 0.28, "l2": 0.40, "class": 0.45,
            "class-rebal": 0.50}
FRUITS = ["apple", "banana", "cherry"]


def write_png(path, img):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if img.ndim == 2:
        plt.imsave(path, img, cmap="gray", vmin=0, vmax=1)
    else:
        plt.imsave(path, img)


def write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=1)


def write_csv(path, header, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(",".join(header) + "\n")
        for r in rows:
            f.write(",".join("" if v is None else str(v) for v in r) + "\n")


def make_fake_experiment(exp, seeds=(0, 1, 2), photos=True, classifier=True, images=9,
                         size=16, epochs=5, rng_seed=1):
    """Writes the folder; returns nothing. Deterministic for a given rng_seed."""
    rng = np.random.default_rng(rng_seed)
    seeds = list(seeds)
    datasets = ["fruits"] + (["photos"] if photos else [])
    write_json(os.path.join(exp, "config.json"), {
        "scale": "fake", "seeds": seeds,
        "datasets": {d: "datasets/fake/" + d for d in datasets}, "size": size,
        "model": "seed", "width": 0.125, "epochs": {d: epochs for d in datasets}, "batch": 8,
        "lr": 0.001, "commit": "fake123", "command": "make_fake_experiment.py",
        "machine": "a fake machine", "started": "2024-01-01T00:00:00Z",
        "finished": "2024-01-01T00:40:00Z", "seconds": 2400.0,
        "classifier": {"model": "fake", "epochs": 3} if classifier else None})
    if classifier:
        write_json(os.path.join(exp, "classifier", "summary.json"), {
            "classes": FRUITS, "test_accuracy": 0.61, "val_accuracy": 0.63, "epochs": 3,
            "size": size, "seconds": 12.5})
        write_csv(os.path.join(exp, "classifier", "metrics.csv"),
                  ["epoch", "train_loss", "val_accuracy"],
                  [[e, round(1.0 / e, 4), round(0.5 + 0.03 * e, 4)] for e in range(1, 4)])
    for d in datasets:
        prior = rng.random((size, size, 3))
        write_png(os.path.join(exp, "prior", d, "prior.png"), prior)
        if d == "fruits":
            ids = ["%s/%s_%04d.png" % (FRUITS[i % 3], FRUITS[i % 3], i) for i in range(images)]
        else:
            ids = ["leaf_%04d.png" % i for i in range(images)]
        truth_imgs = {i: rng.random((size, size, 3)) for i in ids}
        for loss in LOSSES:
            for s in seeds:
                rows = []
                for e in range(1, epochs + 1):
                    scale = 0.02 if loss == "l2" else 3.0
                    rows.append([e, e * 50, round(scale * (1 + 1.0 / e) + rng.normal(0, 0.01), 6),
                                 round(scale * (1.1 + 0.8 / e) + rng.normal(0, 0.01), 6),
                                 round(0.7 + 0.02 * e + rng.normal(0, 0.005), 6),
                                 round(200 + rng.normal(0, 5), 2), round(rng.random(), 3)])
                folder = os.path.join(exp, "train", d, loss, "seed%d" % s)
                write_csv(os.path.join(folder, "metrics.csv"),
                          ["epoch", "step", "train_loss", "val_loss", "val_auc", "images_per_s",
                           "data_wait_s"], rows)
                write_png(os.path.join(folder, "grid_epoch%03d.png" % epochs),
                          rng.random((size, 2 * size, 3)))
        for m in METHODS:
            for s in ([seeds[0]] if m in ("truth", "gray") else seeds):
                folder = os.path.join(exp, "eval", d, m, "seed%d" % s)
                auc = 1.0 if m == "truth" else float(np.clip(
                    BASE_AUC[d][m] + rng.normal(0, 0.01), 0, 1))
                acc = None
                if d == "fruits" and classifier:
                    acc = float(np.clip(BASE_ACC[m] + (rng.normal(0, 0.02)
                                                       if m not in ("truth", "gray") else 0), 0, 1))
                chroma_true = 18.0
                chroma_pred = {"truth": 18.0, "gray": 0.0}.get(m, float(8 + 6 * rng.random()))
                write_json(os.path.join(folder, "summary.json"), {
                    "method": m, "dataset": d, "seed": s, "images": images, "size": size,
                    "auc_pooled": auc, "auc_per_image_mean": float(np.clip(auc - 0.01, 0, 1)),
                    "auc_rebalanced": float(np.clip(auc - 0.25 * (m != "truth"), 0, 1)),
                    "mean_error": 0.0 if m == "truth" else float(150 * (1 - auc) / 2),
                    "chroma_pred": chroma_pred, "chroma_true": chroma_true,
                    "classifier_accuracy": acc, "classifier_images": images if acc is not None
                    else 0, "classifier": "fake classifier" if acc is not None else None,
                    "checkpoint": None if m in ("truth", "gray", "random") else "fake.safetensors"})
                t = np.arange(151)
                k = max(1e-3, (1 - auc) * 40)
                px = 1.0 - np.exp(-t / k) if m != "truth" else np.ones(151)
                im = 1.0 - np.exp(-t / (1.3 * k)) if m != "truth" else np.ones(151)
                write_csv(os.path.join(folder, "cumulative.csv"),
                          ["threshold", "pixels_within", "images_within"],
                          [[int(a), round(float(b), 6), round(float(c), 6)]
                           for a, b, c in zip(t, px, im)])
                per = []
                for i in ids:
                    a = 1.0 if m == "truth" else float(np.clip(auc + rng.normal(0, 0.05), 0, 1))
                    label = i.split("/")[0] if (d == "fruits" and classifier) else ""
                    pred = (label if rng.random() < 0.6 else FRUITS[0]) if label else ""
                    per.append([i, round(a, 6), round(150 * (1 - a) / 2, 4),
                                round(chroma_pred, 3), chroma_true, label, pred])
                    img = truth_imgs[i]
                    if m == "gray":
                        img = img.mean(axis=2)
                    elif m != "truth":
                        img = np.clip(img + rng.normal(0, 0.2, img.shape), 0, 1)
                    write_png(os.path.join(folder, "images", *i.split("/")), img)
                write_csv(os.path.join(folder, "per_image.csv"),
                          ["id", "auc", "mean_error", "chroma_pred", "chroma_true", "label",
                           "predicted"], per)


def main():
    ap = argparse.ArgumentParser(description="Fabricate a fake experiment folder.")
    ap.add_argument("exp")
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--no-photos", action="store_true")
    ap.add_argument("--no-classifier", action="store_true")
    args = ap.parse_args()
    make_fake_experiment(args.exp, [int(s) for s in args.seeds.split(",")],
                         photos=not args.no_photos, classifier=not args.no_classifier)
    return 0


if __name__ == "__main__":
    sys.exit(main())
