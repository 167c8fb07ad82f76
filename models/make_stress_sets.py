"""Validation images under the stresses a new lab's pictures bring (the "beyond it" audit): stains and
casts unlike the training, defocus and motion blur, low light with grain, over-exposure, JPEG at low
quality, resolution lost then enlarged, rotation, vignetting, uneven lamps, magnifications from 0.4x to
3x, a thick area, odd crops, a phone's photo of a screen (moire), and some together.

The images are the detector's own validation split (split_by_group, seed 42, so no shipped detector
trained on them) of the three complete-label sources, and of those only the ones scripts/calibrateFlags.ts
chooses its thresholds on (its held-out fifth, fnv1a(group) % 5 == 0, is left out), so a bar chosen on these
sets is chosen on validation images. Each stress is one VOC folder (PNG, boxes moved with the pixels: a cut
cell is kept when at least 20% of it stays inside, as the complete labels box every visible cell), written to
a git-ignored folder; each folder is one batch, so the optics rule sees no copy of one field twice:

    /usr/bin/python3 -m models.make_stress_sets [--out models/runs/stress-sets] [--per-source 8] [--only a,b]
    for d in models/runs/stress-sets/*/; do npm run eval -- $d --json $d/eval.json; done
    /usr/bin/python3 -m models.make_stress_sets --summarise models/runs/stress-sets
"""
import argparse
import json
import math
import re
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from .dataset import SOURCES, default_data_root, load_sources, report_data_errors, split_by_group
from .make_scale_sets import voc

HERE = Path(__file__).resolve().parent
KEEP_INSIDE = 0.2


def fnv1a(s):
    h = 0x811C9DC5
    for ch in s:
        h = ((h ^ ord(ch)) * 0x01000193) & 0xFFFFFFFF
    return h


def held_out(root, r):
    """scripts/calibrateFlags.ts heldOut: the group is the CBC Training image a copy was made from."""
    csv = Path(root) / "txl-pbc" / "cbc-training-copies.csv"
    copies = {}
    for line in csv.read_text().splitlines()[1:]:
        p = line.split(",")
        if len(p) >= 3 and p[1] and p[2]:
            copies[f"{p[0]}/{p[1]}"] = p[2]
    name = Path(r["image"]).name
    return fnv1a(copies.get(f"{r['source']}/{name}", f"{r['source']}/{name}")) % 5 == 0


# ---- pixel helpers (float32 HxWx3 in 0..255) ------------------------------------------------------

def to_pil(x):
    return Image.fromarray(np.clip(np.round(x), 0, 255).astype(np.uint8))


def from_pil(im):
    return np.asarray(im.convert("RGB")).astype(np.float32)


def resize(x, w, h):
    return from_pil(to_pil(x).resize((w, h), Image.BILINEAR if w >= x.shape[1] else Image.LANCZOS))


def gblur(x, sigma):
    return from_pil(to_pil(x).filter(ImageFilter.GaussianBlur(sigma)))


def noise(x, sigma, rng, chroma=False):
    shape = x.shape if chroma else x.shape[:2] + (1,)
    return x + rng.normal(0, sigma, shape).astype(np.float32)


def jpeg(x, q):
    import io
    b = io.BytesIO()
    to_pil(x).save(b, "JPEG", quality=q)
    return from_pil(Image.open(io.BytesIO(b.getvalue())))


def hue_turn(x, deg):
    hsv = np.asarray(to_pil(x).convert("HSV")).astype(np.int32)
    hsv[..., 0] = (hsv[..., 0] + int(round(deg / 360 * 256))) % 256
    return from_pil(Image.fromarray(hsv.astype(np.uint8), "HSV"))


def saturate(x, s):
    y = x @ np.array([0.299, 0.587, 0.114], np.float32)
    return y[..., None] + (x - y[..., None]) * s


def motion(x, length, angle=0.0):
    """A straight smear of `length` px (the camera moved during the exposure)."""
    out = np.zeros_like(x)
    dx, dy = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    for k in range(length):
        t = k - (length - 1) / 2
        out += np.roll(x, (int(round(t * dy)), int(round(t * dx))), axis=(0, 1))
    return out / length


def radial(h, w):
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    return np.hypot((xx - (w - 1) / 2) / (w / 2), (yy - (h - 1) / 2) / (h / 2)) / math.sqrt(2)


# ---- box helpers ---------------------------------------------------------------------------------

def crop(x, boxes, labels, x0, y0, x1, y1):
    ob, ol = [], []
    for b, l in zip(boxes, labels):
        area = max(1e-6, (b[2] - b[0]) * (b[3] - b[1]))
        c = [max(b[0], x0), max(b[1], y0), min(b[2], x1), min(b[3], y1)]
        if c[2] > c[0] and c[3] > c[1] and (c[2] - c[0]) * (c[3] - c[1]) >= KEEP_INSIDE * area:
            ob.append([c[0] - x0, c[1] - y0, c[2] - x0, c[3] - y0])
            ol.append(l)
    return x[int(y0):int(y1), int(x0):int(x1)], ob, ol


def scale_boxes(boxes, sx, sy):
    return [[b[0] * sx, b[1] * sy, b[2] * sx, b[3] * sy] for b in boxes]


def zoom_in(x, boxes, labels, m):
    """A centre crop of 1/m of the field, enlarged back to the field's size: cells m times larger."""
    h, w = x.shape[:2]
    cw, ch = w / m, h / m
    x0, y0 = (w - cw) / 2, (h - ch) / 2
    c, b, l = crop(x, boxes, labels, round(x0), round(y0), round(x0 + cw), round(y0 + ch))
    return resize(c, w, h), scale_boxes(b, w / c.shape[1], h / c.shape[0]), l


def rotate(x, boxes, labels, deg):
    """The camera turned on the eyepiece by `deg`: the largest upright rectangle of the field's aspect inside
    the turned picture, at the same pixel size (no black corners). A box turns about its centre."""
    h, w = x.shape[:2]
    a = math.radians(deg)
    ca, sa = abs(math.cos(a)), abs(math.sin(a))
    s = min(w / (w * ca + h * sa), h / (w * sa + h * ca))
    y = from_pil(to_pil(x).rotate(deg, resample=Image.BICUBIC, expand=False))
    cw, ch = w * s, h * s
    x0, y0 = (w - cw) / 2, (h - ch) / 2
    cx0, cy0 = (w - 1) / 2, (h - 1) / 2
    rb = []
    for b in boxes:
        mx, my = (b[0] + b[2]) / 2 - cx0, (b[1] + b[3]) / 2 - cy0
        # PIL turns counter-clockwise on screen (y down)
        nx = mx * math.cos(a) + my * math.sin(a)
        ny = -mx * math.sin(a) + my * math.cos(a)
        hw, hh = (b[2] - b[0]) / 2, (b[3] - b[1]) / 2
        rb.append([nx + cx0 - hw, ny + cy0 - hh, nx + cx0 + hw, ny + cy0 + hh])
    return crop(y, rb, labels, round(x0), round(y0), round(x0 + cw), round(y0 + ch))


def mosaic(tiles, m):
    """k x k fields side by side, shrunk by m (cells m times the usual size, m < 1)."""
    k = math.ceil(1 / m - 1e-9)
    h, w = tiles[0][0].shape[:2]
    big = np.zeros((h * k, w * k, 3), np.float32)
    boxes, labels = [], []
    for i in range(k * k):
        t, b, l = tiles[i % len(tiles)]
        t = resize(t, w, h) if t.shape[:2] != (h, w) else t
        sx, sy = w / tiles[i % len(tiles)][0].shape[1], h / tiles[i % len(tiles)][0].shape[0]
        r, c = divmod(i, k)
        big[r * h:(r + 1) * h, c * w:(c + 1) * w] = t
        boxes += [[p[0] * sx + c * w, p[1] * sy + r * h, p[2] * sx + c * w, p[3] * sy + r * h] for p in b]
        labels += l
    W, H = round(w * k * m), round(h * k * m)
    return resize(big, W, H), scale_boxes(boxes, W / big.shape[1], H / big.shape[0]), labels


def moire(x, rng):
    """A phone's photo of a monitor: the screen's pixel grid beating against the sensor's (two fine gratings
    a few degrees apart), the screen's subpixel colours, a slight blur and a phone's JPEG."""
    h, w = x.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    t1, t2 = math.radians(rng.uniform(5, 15)), math.radians(rng.uniform(-15, -5))
    p = rng.uniform(2.6, 3.4)
    g = 0.5 * (np.sin(2 * math.pi * (xx * math.cos(t1) + yy * math.sin(t1)) / p)
               + np.sin(2 * math.pi * (xx * math.cos(t2) + yy * math.sin(t2)) / (p * 1.07)))
    sub = np.stack([np.sin(2 * math.pi * (xx + k) / 3) for k in range(3)], -1)
    y = x * (1 + 0.16 * g[..., None] + 0.06 * sub)
    return jpeg(gblur(y, 0.7), 70)


# ---- the stresses --------------------------------------------------------------------------------

def px(f):
    """A stress on pixels only (the boxes stay)."""
    return lambda x, b, l, rng, pool: (f(x, rng), b, l)


S = {
    "none": px(lambda x, r: x),
    # stains and casts unlike the training
    "stain-magenta": px(lambda x, r: saturate(x * np.array([1.08, 0.78, 1.04], np.float32), 1.5)),
    "stain-hue+45": px(lambda x, r: hue_turn(x, 45)),
    "stain-hue-45": px(lambda x, r: hue_turn(x, -45)),
    "stain-faded": px(lambda x, r: 255 - (255 - x) * 0.4),
    "stain-heavy": px(lambda x, r: 255 - (255 - x) * 1.6),
    "cast-cyan": px(lambda x, r: x * np.array([0.62, 1.0, 1.08], np.float32)),
    "cast-green": px(lambda x, r: x * np.array([0.8, 1.1, 0.7], np.float32)),
    # focus and motion
    "defocus-1.5": px(lambda x, r: gblur(x, 1.5)),
    "defocus-3": px(lambda x, r: gblur(x, 3)),
    # defocus under a sensor's grain (added after the blur, as a sensor adds it): the grain's edges must not read as focus
    "defocus-3-grain-3": px(lambda x, r: noise(gblur(x, 3), 3, r)),
    "defocus-5-grain-3": px(lambda x, r: noise(gblur(x, 5), 3, r)),
    "defocus-5-grain-6": px(lambda x, r: noise(gblur(x, 5), 6, r)),
    "motion-9": px(lambda x, r: motion(x, 9, 20)),
    "motion-17": px(lambda x, r: motion(x, 17, 20)),
    # light
    "dark-0.35-grain-5": px(lambda x, r: noise(x * 0.35, 5, r)),
    "dark-0.6-colour-grain-12": px(lambda x, r: noise(x * 0.6, 12, r, chroma=True)),
    "bright-1.3": px(lambda x, r: x * 1.3),
    "bright-1.45": px(lambda x, r: x * 1.45),
    "vignette": px(lambda x, r: x * (1 - 0.75 * radial(*x.shape[:2]) ** 2)[..., None]),
    "uneven-lamp": px(lambda x, r: x * np.linspace(0.45, 1.15, x.shape[1], dtype=np.float32)[None, :, None]),
    # milder and other shapes of uneven light (core/quality/illumination.ts's bar and its reach)
    "vignette-0.3": px(lambda x, r: x * (1 - 0.3 * radial(*x.shape[:2]) ** 2)[..., None]),
    "vignette-0.5": px(lambda x, r: x * (1 - 0.5 * radial(*x.shape[:2]) ** 2)[..., None]),
    "vignette-cos4": px(lambda x, r: x * (np.cos(np.arctan(1.1 * radial(*x.shape[:2]))) ** 4)[..., None]),
    "lamp-corner": px(lambda x, r: x * (0.5 + 0.5 * (np.mgrid[0:x.shape[0], 0:x.shape[1]].sum(0) / (x.shape[0] + x.shape[1] - 2)))[..., None]),
    "lamp-vertical-dim": px(lambda x, r: noise(x * np.linspace(0.35, 0.9, x.shape[0], dtype=np.float32)[:, None, None], 3, r)),
    # files
    "jpeg-q8": px(lambda x, r: jpeg(x, 8)),
    "jpeg-q15": px(lambda x, r: jpeg(x, 15)),
    "downup-0.5": px(lambda x, r: resize(resize(x, x.shape[1] // 2, x.shape[0] // 2), x.shape[1], x.shape[0])),
    "downup-0.33": px(lambda x, r: resize(resize(x, x.shape[1] // 3, x.shape[0] // 3), x.shape[1], x.shape[0])),
    "moire": px(lambda x, r: moire(x, r)),
    # geometry
    "rotate-90": lambda x, b, l, r, pool: (np.ascontiguousarray(np.rot90(x, -1)), [[x.shape[0] - p[3], p[0], x.shape[0] - p[1], p[2]] for p in b], l),
    "rotate-20": lambda x, b, l, r, pool: rotate(x, b, l, 20),
    "strip-wide": lambda x, b, l, r, pool: crop(x, b, l, 0, round(x.shape[0] * 0.375), x.shape[1], round(x.shape[0] * 0.625)),
    "strip-tall": lambda x, b, l, r, pool: crop(x, b, l, round(x.shape[1] * 0.4), 0, round(x.shape[1] * 0.6), x.shape[0]),
    "mag-0.4": lambda x, b, l, r, pool: mosaic(pool, 0.4),
    "mag-0.6": lambda x, b, l, r, pool: mosaic(pool, 0.6),
    "mag-1.5": lambda x, b, l, r, pool: zoom_in(x, b, l, 1.5),
    "mag-2.2": lambda x, b, l, r, pool: zoom_in(x, b, l, 2.2),
    "mag-3": lambda x, b, l, r, pool: zoom_in(x, b, l, 3),
    # a thick area: a second field of the same microscope under this one (stain absorbs: multiply)
    "thick": lambda x, b, l, r, pool: (x * resize(pool[1][0], x.shape[1], x.shape[0]) / 255,
                                       b + scale_boxes(pool[1][1], x.shape[1] / pool[1][0].shape[1], x.shape[0] / pool[1][0].shape[0]),
                                       l + pool[1][2]),
    # together
    "combo-cast-grain-jpeg": px(lambda x, r: jpeg(noise(x * np.array([0.7, 1.0, 1.05], np.float32), 6, r), 30)),
    "combo-defocus-dim": px(lambda x, r: noise(gblur(x, 1.2) * 0.5, 3, r)),
    "combo-vignette-moire": px(lambda x, r: moire(x * (1 - 0.6 * radial(*x.shape[:2]) ** 2)[..., None], r)),
    "combo-mag-1.6-defocus": lambda x, b, l, r, pool: (lambda y: (gblur(y[0], 1.5), y[1], y[2]))(zoom_in(x, b, l, 1.6)),
    "combo-faded-jpeg": px(lambda x, r: jpeg(255 - (255 - x) * 0.55, 20)),
}


def pick(root, per_source, seed=42, val_fraction=0.15):
    recs = load_sources(root, [s for s in SOURCES if s[2]], log=None)
    _, val = split_by_group(recs, val_fraction, seed)
    by = {}
    for r in val:
        if not held_out(root, r):
            by.setdefault(r["source"], []).append(r)
    return [r for s in sorted(by) for r in by[s][:per_source]], by


def load(r):
    return from_pil(Image.open(r["image"])), [list(map(float, b)) for b in r["boxes"]], list(map(int, r["labels"]))


def build(root, out, per_source, only=None):
    chosen, by = pick(root, per_source)
    n = 0
    for name, f in S.items():
        if only and name not in only:
            continue
        d = out / name
        (d / "Images").mkdir(parents=True, exist_ok=True)
        (d / "Annotations").mkdir(parents=True, exist_ok=True)
        for i, r in enumerate(chosen):
            rng = np.random.default_rng(fnv1a(name + r["name"]))
            same = by[r["source"]]
            j = same.index(r)
            # the fields a mosaic or a thick area takes beside this one: its neighbours in the same source
            pool = [load(same[(j + k) % len(same)]) for k in range(9 if name.startswith("mag-0") else 2 if name == "thick" else 0)]
            x, b, l = load(r)
            y, b, l = f(x, b, l, rng, pool)
            stem = f"{r['source']}-{r['name']}"
            im = to_pil(y)
            im.save(d / "Images" / f"{stem}.png")
            (d / "Annotations" / f"{stem}.xml").write_text(voc(f"{stem}.png", im.width, im.height, b, l))
            n += 1
    return len(chosen), n


def summarise(out, off=0.2):
    """Per stress: images whose count of some class is more than `off` from the complete labels (a class with
    no labelled cell: wrong when the app finds any), how many of those carried a flag that leaves them out
    and how many only an advisory one; those wrong where the same field as saved was right ("new"); and those
    whose RBC count is off, with how many of them no excluding flag left out."""
    flagsrc = (HERE.parent / "src" / "core" / "quality" / "flags.ts").read_text()
    excluding = re.search(r"EXCLUDING_FLAGS[^=]*=\s*\[([^\]]*)\]", flagsrc).group(1)
    excluding = set(re.findall(r"'([^']+)'", excluding))
    base = {}
    rows = []
    for d in sorted(p for p in Path(out).iterdir() if (p / "eval.json").is_file()):
        per = json.loads((d / "eval.json").read_text())["perImage"]
        res = {}
        for p in per:
            wrong = [c for c in ("RBC", "WBC", "Platelets")
                     if ((abs(p[c] - p["truth"][c]) > off * p["truth"][c]) if p["truth"][c] else p[c] > 0)]
            flags = [f for f in p["flags"] if f != "wbc-type-unsure"]
            res[p["image"]] = (wrong, flags, p)
        if d.name == "none":
            base = res
        rows.append((d.name, res))
    print(f"{'stress':28} {'n':>3} {'wrong':>6} {'excl':>5} {'advis':>5} {'silent':>6} | {'new':>4} {'excl':>5} {'advis':>5} {'silent':>6} | {'RBC':>4} {'silent':>6} | silent, new: class (truth -> counted)")
    for name, res in rows:
        w = [k for k, v in res.items() if v[0]]
        ex = [k for k in w if set(res[k][1]) & excluding]
        adv = [k for k in w if res[k][1] and not set(res[k][1]) & excluding]
        new = [k for k in w if not base.get(k, ([], ))[0]] if name != "none" else []
        nex = [k for k in new if set(res[k][1]) & excluding]
        nadv = [k for k in new if res[k][1] and not set(res[k][1]) & excluding]
        silent_new = [k for k in new if not res[k][1]]
        detail = "; ".join(f"{k.split('.')[0][:22]} " + ",".join(f"{c[0]} {res[k][2]['truth'][c]}->{res[k][2][c]}" for c in res[k][0]) for k in silent_new[:4])
        rbc = [k for k in w if "RBC" in res[k][0]]
        rbc_silent = [k for k in rbc if not set(res[k][1]) & excluding]
        print(f"{name:28} {len(res):>3} {len(w):>6} {len(ex):>5} {len(adv):>5} {len(w) - len(ex) - len(adv):>6} | {len(new):>4} {len(nex):>5} {len(nadv):>5} {len(silent_new):>6} | {len(rbc):>4} {len(rbc_silent):>6} | {detail}")


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default=str(default_data_root()))
    p.add_argument("--out", default=str(HERE / "runs" / "stress-sets"))
    p.add_argument("--per-source", type=int, default=8)
    p.add_argument("--only", default="")
    p.add_argument("--summarise", default="")
    a = p.parse_args()
    if a.summarise:
        summarise(a.summarise)
    else:
        report_data_errors()
        k, n = build(a.data, Path(a.out), a.per_source, set(filter(None, a.only.split(","))))
        print(f"{k} validation images, {n} stressed copies in {a.out}")
