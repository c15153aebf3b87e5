#!/usr/bin/python3
"""Builds tint's image sets from real photographs shipped by Debian packages.

Used by scripts/build_samples.sh (the bundled data/samples) and scripts/build_datasets.sh
(larger Fruits and Photos sets); both download and unpack the packages and call this with
--root pointing at the unpacked tree. Deterministic: the same seed, sizes, counts and
package versions give byte-identical files, whatever --jobs (each image draws from its own
numpy stream seeded by (seed, set, split, number); PIL resampling; PNG without timestamps).

Two kinds of images:
- fruits: a fruit or vegetable cut-out photograph (tuxpaint-stamps-default, RGBA) — one, or
  two or three of the same kind — composited at random scale, rotation and position onto a
  plain background (white, grey or a random colour, sometimes a gentle gradient) or a random
  crop of a nature photograph; rendered at twice the size and reduced with a box filter.
  Labelled by kind through the folder name: fruits/<kind>/<kind>_NNNN.png.
- photos: random square crops (side 15-60 % of the short side) of the photographs
  (mate-backgrounds' nature set, scikit-image's public-domain/CC0 photos), reduced to the
  size: photos/<photo>_NNNN.png.

Splits are fixed folders train/ val/ test/ (60/20/20 of the images) and keep test sources
away from train ones where the sources allow it:
- photos are grouped by theme (foliage, flowers, landscapes and textures, skimage's
  scenes; four each) and, per group, the seed picks two photos for train, one for val and
  one for test; photo crops and photo backgrounds of a split come only from its photos;
- a fruit kind with three or more cut-outs gives one to test, one to val and the rest to
  train; with two, one to train and the other to val and test; with one, every split
  uses it (on different backgrounds, scales and rotations).

Every file's source package, original path(s) and licence are listed in SOURCES.md.
"""
import argparse
import math
import os
import sys

import numpy as np
from PIL import Image, ImageFilter

STAMPS = "usr/share/tuxpaint/stamps/food"
MATE = "usr/share/backgrounds/mate/nature"
SKIMAGE = "usr/lib/python3/dist-packages/skimage/data"

PACKAGES = {
    "tuxpaint-stamps-default": ("2022.06.04-1", "GPL-2",
                                "Copyright 2002-2022 Bill Kendrick and the Tux Paint contributors"),
    "mate-backgrounds": ("1.26.0-1", "GPL-2+", "see the per-photo holders below"),
    "python3-skimage": ("0.19.3-8", "package BSD-3-Clause; photos as below",
                        "scikit-image team; photographers below"),
}

# Cut-out photographs by kind (the label). Cartoon stamps are left out.
FRUITS = {
    "apricot": ["fruit/Apricot_whole.png", "fruit/apricot.png"],
    "cherry": ["fruit/Cherry_Stella.png"],
    "strawberry": ["fruit/Strawberry2.png", "fruit/strawberry.png"],
    "red_apple": ["fruit/apple_fuji.png", "fruit/apple_red.png", "fruit/apple_sierra_beauty.png"],
    "green_apple": ["fruit/apple_granny_smith.png", "fruit/apple_green.png"],
    "avocado": ["fruit/avocado.png"],
    "banana": ["fruit/banana.png"],
    "cherimoya": ["fruit/cherimoya.png"],
    "grapes": ["fruit/grapes.png"],
    "kiwi": ["fruit/kiwi.png"],
    "lemon": ["fruit/lemon.png"],
    "mandarin": ["fruit/mandarine.png"],
    "mango": ["fruit/mango.png"],
    "orange": ["fruit/orange.png", "fruit/orange_seville.png"],
    "pear": ["fruit/pear.png"],
    "pineapple": ["fruit/pineapple.png"],
    "pomegranate": ["fruit/pomegranate.png"],
    "raspberry": ["fruit/raspberry.png"],
    "lime_slice": ["fruit/sliced_lime.png"],
    "orange_slice": ["fruit/sliced_orange.png"],
    "broccoli": ["vegetables/broccoli.png"],
    "carrot": ["vegetables/carrot.png"],
    "chile_pepper": ["vegetables/chilepepper.png"],
    "corn": ["vegetables/corn.png"],
    "eggplant": ["vegetables/eggplant.png"],
    "garlic": ["vegetables/garlic.png", "vegetables/garlics.png"],
    "lettuce": ["vegetables/lettuce.png"],
    "red_lettuce": ["vegetables/redlettuce.png"],
    "mushroom": ["vegetables/mushroom.png"],
    "onion": ["vegetables/onion.png"],
    "pattypan_squash": ["vegetables/pattypan_squash.png"],
    "green_pepper": ["vegetables/pepper.png"],
    "yellow_pepper": ["vegetables/yellowpepper.png"],
    "potato": ["vegetables/potato.png"],
    "pumpkin": ["vegetables/pumpkin_small.png"],
    "tomato": ["vegetables/tomato.png"],
    "yam": ["vegetables/yam.png"],
}

# Photographs: name -> (package, path, licence, holder), grouped by theme for the split.
PHOTO_GROUPS = [
    ["Blinds", "GreenMeadow", "LadyBird", "RainDrops"],      # foliage
    ["FreshFlower", "Garden", "TwoWings", "YellowFlower"],  # flowers
    ["Aqua", "Dune", "Storm", "Wood"],                      # landscapes, textures
    ["astronaut", "coffee", "chelsea", "rocket"],           # scikit-image's scenes
]
MATE_HOLDERS = {
    "Aqua": "2008 Charles Barbin", "LadyBird": "2008 Charles Barbin",
    "YellowFlower": "2008 Charles Barbin", "Garden": "2008 Charles Barbin",
    "Blinds": "2008 Lennart Poettering, Andrea Cimitan",
    "Dune": "2007 Marco Cogoni, 2008 Hylke Bons", "FreshFlower": "2005 Jens Ansorg",
    "GreenMeadow": "2005 Timothy Schellhase, 2008 Lapo Calamandrei",
    "RainDrops": "2008 blackcombwhistler07", "Storm": "2008 Sergey Nazarov",
    "TwoWings": "2008 Charles Barbin, Hylke Bons", "Wood": "2008 Jean-François Fortin Tam",
}
SKIMAGE_PHOTOS = {
    "astronaut": ("astronaut.png", "public domain (NASA)", "NASA"),
    "coffee": ("coffee.png", "CC0", "Rachel Michetti"),
    "chelsea": ("chelsea.png", "CC0", "Stefan van der Walt"),
    "rocket": ("rocket.jpg", "public domain (SpaceX)", "SpaceX"),
}


def photo_source(name):
    if name in MATE_HOLDERS:
        return ("mate-backgrounds", f"{MATE}/{name}.jpg", "GPL-2+", MATE_HOLDERS[name])
    file, licence, holder = SKIMAGE_PHOTOS[name]
    return ("python3-skimage", f"{SKIMAGE}/{file}", licence, holder)


SPLITS = ("train", "val", "test")


def split_counts(n):
    val = round(n * 0.2)
    test = round(n * 0.2)
    return {"train": n - val - test, "val": val, "test": test}


class Sources:
    """The unpacked packages: photos (RGB, full size) and cut-outs (RGBA), loaded lazily."""

    def __init__(self, root):
        self.root = root
        self.cache = {}

    def path(self, rel):
        p = os.path.join(self.root, rel)
        if not os.path.isfile(p):
            sys.exit(f"image_sets: {p} is missing; is --root the unpacked packages?")
        return p

    def image(self, rel, mode):
        key = (rel, mode)
        if key not in self.cache:
            with Image.open(self.path(rel)) as im:
                self.cache[key] = im.convert(mode)
        return self.cache[key]

    def photo(self, name):
        return self.image(photo_source(name)[1], "RGB")

    def cutout(self, rel):
        im = self.image(f"{STAMPS}/{rel}", "RGBA")
        box = im.getchannel("A").getbbox()  # trim transparent borders
        return im.crop(box) if box else im


def assign_sources(rng):
    """Which photos and cut-outs each split may use."""
    photos = {s: [] for s in SPLITS}
    for group in PHOTO_GROUPS:
        order = [group[i] for i in rng.permutation(len(group))]
        photos["train"] += order[:2]
        photos["val"].append(order[2])
        photos["test"].append(order[3])
    cutouts = {s: {} for s in SPLITS}
    for kind, files in FRUITS.items():
        order = [files[i] for i in rng.permutation(len(files))]
        if len(order) >= 3:
            use = {"test": order[:1], "val": order[1:2], "train": order[2:]}
        elif len(order) == 2:
            use = {"train": order[:1], "val": order[1:], "test": order[1:]}
        else:
            use = {s: order for s in SPLITS}
        for s in SPLITS:
            cutouts[s][kind] = use[s]
    for s in SPLITS:
        photos[s].sort()
    return photos, cutouts


def random_crop(rng, photo, lo, hi, out):
    """A random square crop of side lo..hi of the short side, resized to out x out."""
    w, h = photo.size
    side = max(8, int(round(min(w, h) * rng.uniform(lo, hi))))
    x = int(rng.integers(0, w - side + 1))
    y = int(rng.integers(0, h - side + 1))
    return photo.resize((out, out), Image.BOX, box=(x, y, x + side, y + side)), (x, y, side)


def plain_background(rng, size):
    kind = rng.uniform()
    if kind < 0.3:
        colour = np.array([255, 255, 255], np.float64)
    elif kind < 0.45:
        colour = np.full(3, rng.uniform(150, 240))
    else:  # a random, mostly muted colour
        hue = rng.uniform(0, 1)
        sat = rng.uniform(0.05, 0.6)
        val = rng.uniform(0.45, 1.0)
        colour = np.array(hsv_to_rgb(hue, sat, val)) * 255
    arr = np.broadcast_to(colour, (size, size, 3)).astype(np.float64)
    if rng.uniform() < 0.4:  # a gentle vertical gradient
        shade = np.linspace(1.0 + rng.uniform(-0.2, 0.2), 1.0, size)[:, None, None]
        arr = arr * shade
    return Image.fromarray(np.clip(arr + 0.5, 0, 255).astype(np.uint8), "RGB")


def hsv_to_rgb(h, s, v):
    i = int(h * 6) % 6
    f = h * 6 - math.floor(h * 6)
    p, q, t = v * (1 - s), v * (1 - f * s), v * (1 - (1 - f) * s)
    return [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)][i]


def make_fruit(rng, src, kind, cutouts, photos, size):
    """One composite; returns the image and a description of its sources."""
    big = 2 * size
    if rng.uniform() < 0.5:
        name = photos[int(rng.integers(len(photos)))]
        bg, (x, y, side) = random_crop(rng, src.photo(name), 0.15, 0.6, big)
        if rng.uniform() < 0.5:  # defocus, so the object stands out
            bg = bg.filter(ImageFilter.GaussianBlur(radius=rng.uniform(1.0, 3.0) * big / 128))
        background = f"{name} crop ({x}, {y}, {side}x{side})"
        used = [photo_source(name)]
    else:
        bg = plain_background(rng, big)
        background = "plain"
        used = []
    count = 1 if rng.uniform() < 0.75 else int(rng.integers(2, 4))
    scale_hi = 0.95 if count == 1 else 0.6
    files = []
    for _ in range(count):
        rel = cutouts[int(rng.integers(len(cutouts)))]
        files.append(rel)
        obj = src.cutout(rel)
        target = rng.uniform(0.5, scale_hi) * big
        f = target / max(obj.size)
        obj = obj.resize((max(1, round(obj.size[0] * f)), max(1, round(obj.size[1] * f))),
                         Image.LANCZOS if f < 1 else Image.BICUBIC)
        if rng.uniform() < 0.5:
            obj = obj.transpose(Image.FLIP_LEFT_RIGHT)
        obj = obj.rotate(rng.uniform(-35, 35), Image.BICUBIC, expand=True)
        w, h = obj.size
        # Centre anywhere that keeps at least ~70 % of the object inside.
        x = int(rng.integers(-w // 6, max(-w // 6, big - w + w // 6) + 1))
        y = int(rng.integers(-h // 6, max(-h // 6, big - h + h // 6) + 1))
        bg.paste(obj, (x, y), obj)
    image = bg.reduce(2)  # 2x2 box average
    what = f"{kind}: {', '.join(os.path.basename(f) for f in files)} on {background}"
    used = [("tuxpaint-stamps-default", f"{STAMPS}/{f}", "GPL-2", PACKAGES[
        "tuxpaint-stamps-default"][2]) for f in sorted(set(files))] + used
    return image, what, used


def check_versions(root):
    """Records the unpacked packages' versions (from --root/.versions, written by
    scripts/lib/image_packages.sh); other versions than these may give other images."""
    path = os.path.join(root, ".versions")
    if not os.path.isfile(path):
        return
    with open(path, encoding="utf-8") as f:
        for line in f:
            package, version = line.split()
            expected, licence, holder = PACKAGES[package]
            if version != expected:
                print(f"image_sets: warning: {package} {version} is not the {expected} this "
                      "script was written for; the images may differ", file=sys.stderr)
                PACKAGES[package] = (version, licence, holder)


# Per-process state of the workers: the arguments, the sources, the split assignment.
_worker = {}


def _init_worker(args, photos, cutouts):
    _worker.update(args=args, src=Sources(args.root), photos=photos, cutouts=cutouts)


def _make(job):
    """Makes and saves one image; job = (set, split, number in split, file name stem)."""
    kind_of_set, split, i, stem = job
    args, src = _worker["args"], _worker["src"]
    # Each image draws from its own stream, so images do not depend on the order in which
    # they are made, nor on the counts of other splits and sets.
    rng = np.random.default_rng([args.seed, SETS.index(kind_of_set), SPLITS.index(split), i])
    if kind_of_set == "fruits":
        kind = stem.split("/")[0]
        image, what, used = make_fruit(rng, src, kind, _worker["cutouts"][split][kind],
                                       _worker["photos"][split], args.size)
    else:
        name = stem.rsplit("_", 1)[0]
        image, (x, y, side) = random_crop(rng, src.photo(name), 0.15, 0.6, args.size)
        what, used = f"{name} crop ({x}, {y}, {side}x{side})", [photo_source(name)]
    file = f"{stem}.{args.format}"
    rel = (f"{split}/{kind_of_set}/{file}" if args.layout == "samples" else
           f"{kind_of_set}/{split}/{file}")
    path = os.path.join(args.out, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if args.format == "png":
        image.save(path, optimize=True)
    else:
        image.save(path, quality=args.quality, subsampling=0)
    return rel, what, used


SETS = ("fruits", "photos")


def build(args):
    check_versions(args.root)
    photos, cutouts = assign_sources(np.random.default_rng([args.seed, 1000]))
    kinds = sorted(FRUITS)
    jobs = []
    for split in SPLITS:
        # Fruits: the kinds in turn, so every kind is in every split; photos likewise.
        per_kind, per_photo = {}, {}
        for i in range(split_counts(args.fruits)[split]):
            kind = kinds[i % len(kinds)]
            per_kind[kind] = per_kind.get(kind, 0) + 1
            jobs.append(("fruits", split, i, f"{kind}/{kind}_{per_kind[kind]:04d}"))
        for i in range(split_counts(args.photos)[split]):
            name = photos[split][i % len(photos[split])]
            per_photo[name] = per_photo.get(name, 0) + 1
            jobs.append(("photos", split, i, f"{name}_{per_photo[name]:04d}"))
    os.makedirs(args.out, exist_ok=True)
    jobs_n = max(1, min(args.jobs or os.cpu_count() or 1, 8))
    if jobs_n == 1:
        _init_worker(args, photos, cutouts)
        rows = [_make(j) for j in jobs]
    else:
        import multiprocessing
        with multiprocessing.get_context("fork").Pool(
                jobs_n, _init_worker, (args, photos, cutouts)) as pool:
            rows = []
            for k, row in enumerate(pool.imap(_make, jobs, chunksize=16)):
                rows.append(row)
                if (k + 1) % 1000 == 0:
                    print(f"image_sets: {k + 1} of {len(jobs)} images", flush=True)
    for split in SPLITS:
        print(f"image_sets: {split}: {split_counts(args.fruits)[split]} fruit composites, "
              f"{split_counts(args.photos)[split]} photo crops", flush=True)
    if args.layout == "samples":
        write_sources(args, rows, photos, cutouts)
    else:  # one SOURCES.md per set, so either can be rebuilt alone
        for name in SETS:
            mine = [r for r in rows if r[0].startswith(name + "/")]
            if mine:
                write_sources(args, mine, photos, cutouts, name,
                              f"{name.capitalize()} dataset: sources and licences")


def write_sources(args, rows, photos, cutouts, folder="", title=None):
    """SOURCES.md in args.out/folder for the given rows (paths relative to args.out)."""
    lines = [
        f"# {title or args.title}",
        "",
        "Generated by `" + args.command + "` (scripts/lib/image_sets.py) from these Debian "
        "packages; do not edit by hand.",
        f"Seed {args.seed}, {args.size}x{args.size} {args.format.upper()}, "
        f"{args.fruits} fruit composites and {args.photos} photo crops, "
        "split 60/20/20 into train/ val/ test/.",
        "",
        "| package | version | licence | copyright |",
        "|---|---|---|---|",
    ]
    for p, (version, licence, holder) in PACKAGES.items():
        lines.append(f"| {p} | {version} | {licence} | {holder} |")
    lines += [
        "",
        "Licences: the fruit composites are derived from GPL-2 Tux Paint stamps and, when on a",
        "photo background, from GPL-2+ MATE photos, so they are distributed under the GPL",
        "(version 2, or version 2 or later where only GPL-2+ sources are used); photo crops",
        "carry their photo's licence (GPL-2+ for mate-backgrounds; public domain or CC0 for",
        "the scikit-image photos named below). The full GPL-2 text is in",
        "/usr/share/common-licenses/GPL-2 on Debian.",
        "",
        "## Photographs",
        "",
        "| photo | split | package | original path | licence | copyright / author |",
        "|---|---|---|---|---|---|",
    ]
    split_of = {name: s for s in SPLITS for name in photos[s]}
    for group in PHOTO_GROUPS:
        for name in group:
            pkg, path, licence, holder = photo_source(name)
            lines.append(f"| {name} | {split_of[name]} | {pkg} | /{path} | {licence} | {holder} |")
    lines += ["", "## Cut-outs (tuxpaint-stamps-default, GPL-2)", "",
              "| kind | train | val | test |", "|---|---|---|---|"]
    for kind in sorted(FRUITS):
        cells = [", ".join(os.path.basename(f) for f in cutouts[s][kind]) for s in SPLITS]
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    lines += ["", f"Cut-outs are under /{STAMPS}/.", "", "## Files", "",
              "| file | made from | sources (package: path, licence) |", "|---|---|---|"]
    for rel, what, used in rows:
        srcs = "; ".join(f"{p}: /{path} ({lic})" for p, path, lic, _ in used)
        lines.append(f"| {os.path.relpath(rel, folder or '.')} | {what} | {srcs} |")
    with open(os.path.join(args.out, folder, "SOURCES.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", required=True, help="the unpacked packages (dpkg -x target)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--fruits", type=int, default=400, help="fruit composites in all")
    ap.add_argument("--photos", type=int, default=150, help="photo crops in all")
    ap.add_argument("--format", choices=["png", "jpg"], default="png")
    ap.add_argument("--quality", type=int, default=95, help="JPEG quality (4:4:4 chroma)")
    ap.add_argument("--layout", choices=["samples", "datasets"], default="samples",
                    help="samples: SPLIT/fruits/KIND/, SPLIT/photos/; "
                         "datasets: fruits/SPLIT/KIND/, photos/SPLIT/")
    ap.add_argument("--jobs", type=int, default=0, help="processes (0: CPUs, at most 8)")
    ap.add_argument("--title", default="Image set")
    ap.add_argument("--command", default="scripts/lib/image_sets.py")
    args = ap.parse_args()
    if args.size < 8 or args.fruits < 0 or args.photos < 0:
        sys.exit("image_sets: --size must be >= 8 and the counts >= 0")
    build(args)


if __name__ == "__main__":
    main()
