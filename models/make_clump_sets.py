"""Validation images with a synthetic platelet clump, for the clump flag (src/core/quality/clumps.ts).

Platelets that clump (EDTA-induced clumping, a slow smear) lie in heaps that a count per platelet reads
short: the count, and any estimate made from it, is then a minimum, and a laboratory must say so rather
than report a low platelet count (pseudothrombocytopenia). No set in shared/ holds real clumps (a group of
3 or more touching platelets occurs in 1 of 859 labelled fields), so they are made here from real
platelets: each is cut from a training image of the same source (the detector's own split, seed 42) and
laid on a validation field as light absorbed, T = crop / the crop's own background, so overlapping
platelets darken one another as they do on a slide. A clump holds 4-12 platelets around one point,
overlapping (IoU up to 0.3, as in training's PlateletClumps); its labels are added (Platelets). Every validation field of each
complete-label source gets one clump; the same fields are written without it:

    /usr/bin/python3 -m models.make_clump_sets [--out models/runs/clump-sets]
    npm run eval -- models/runs/clump-sets/bccd-clumps     # fields flagged, platelets found in clumps
    npm run eval -- models/runs/clump-sets/bccd-clean      # false flags on the same fields
"""
import argparse
import math
import random
from pathlib import Path

import torch
from torchvision.io import ImageReadMode, read_image

from .dataset import LABEL_OF, default_data_root, report_data_errors
from .make_speck_sets import split_sets, write_voc_copy

HERE = Path(__file__).resolve().parent
PLT = LABEL_OF["Platelets"]


def platelet_crops(records, per_source=60, seed=0):
    """Real platelets of the training split, each with the transmission of its own box (crop / background)."""
    rng = random.Random(seed)
    out = {}
    for r in records:
        if not r.get("complete", True):
            continue
        boxes = [b for b, l in zip(r["boxes"], r["labels"]) if l == PLT]
        if not boxes:
            continue
        out.setdefault(r["source"], []).append((r, boxes))
    crops = {}
    for src, items in out.items():
        rng.shuffle(items)
        cs = []
        for r, boxes in items:
            if len(cs) >= per_source:
                break
            x = read_image(str(r["image"]), ImageReadMode.RGB).float() / 255
            _, h, w = x.shape
            for b in boxes:
                x1, y1, x2, y2 = (int(round(v)) for v in b)
                if min(x1, y1) < 2 or x2 > w - 2 or y2 > h - 2 or x2 - x1 < 6 or y2 - y1 < 6:
                    continue  # a cut platelet is not a whole one to lay down
                m = max(2, (x2 - x1) // 4)
                c = x[:, max(0, y1 - m):y2 + m, max(0, x1 - m):x2 + m]
                ring = torch.cat([c[:, :2].reshape(3, -1), c[:, -2:].reshape(3, -1), c[:, :, :2].reshape(3, -1), c[:, :, -2:].reshape(3, -1)], 1)
                bg = ring.median(1).values.clamp_min(0.05)
                t = (c / bg[:, None, None]).clamp(0, 1)
                # only the platelet: pixels far darker than the background, feathered
                dark = (1 - t).mean(0)
                # and within the platelet's own ellipse (the box), fading over the margin: a neighbour's edge
                # in the margin is not laid down with it
                ch, cw = dark.shape
                yy = (torch.arange(ch, dtype=torch.float32)[:, None] + 0.5 - ch / 2) / ((y2 - y1) / 2 + m / 2)
                xx = (torch.arange(cw, dtype=torch.float32)[None, :] + 0.5 - cw / 2) / ((x2 - x1) / 2 + m / 2)
                inside = torch.sigmoid((1 - (xx ** 2 + yy ** 2)) * 8)
                a = torch.sigmoid((dark - 0.06) / 0.02) * inside
                t = 1 - (1 - t) * a
                cs.append((t, (x2 - x1 + y2 - y1) / 2))
                break
        crops[src] = cs
    return crops


def iou(a, b):
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def lay_clump(x, crops, rng, k, avoid=()):
    """k platelets around one point of the field; returns the field and the boxes laid."""
    _, h, w = x.shape
    d = sorted(s for _, s in crops)[len(crops) // 2]
    radius = d * (0.6 + 0.4 * rng.random()) * math.sqrt(k) / 1.4
    for _ in range(50):  # beside the field's white cells, not on them (a clump on a WBC reads as its granules)
        cx = rng.uniform(0.2, 0.8) * w
        cy = rng.uniform(0.2, 0.8) * h
        if not any(b[0] - radius < cx < b[2] + radius and b[1] - radius < cy < b[3] + radius for b in avoid):
            break
    boxes = []
    for _ in range(k):
        t, _s = rng.choice(crops)
        if rng.random() < 0.5:
            t = t.flip(2)
        if rng.random() < 0.5:
            t = t.flip(1)
        th, tw = t.shape[1:]
        m = max(2, int(round((tw - _s) / 2)))  # the crop's margin around its box, as cut
        for _place in range(4):  # on one another, but each still a platelet of its own (IoU <= 0.3, as in training)
            a = rng.uniform(0, 2 * math.pi)
            rr = radius * math.sqrt(rng.random())
            px, py = cx + rr * math.cos(a), cy + rr * math.sin(a)
            x0, y0 = int(round(px - tw / 2)), int(round(py - th / 2))
            b = (x0 + m, y0 + m, x0 + tw - m, y0 + th - m)
            inside = x0 >= 0 and y0 >= 0 and x0 + tw <= w and y0 + th <= h
            if inside and all(iou(b, o) <= 0.3 for o in boxes):
                break
        else:
            continue
        x[:, y0:y0 + th, x0:x0 + tw] *= t
        boxes.append(b)
    return x, boxes


def build(root, out, seed=42, val_fraction=0.15):
    train, by = split_sets(root, seed, val_fraction)
    crops = platelet_crops(train)
    rng = random.Random(seed)
    counts = {}
    for src, rs in sorted(by.items()):
        if not crops.get(src):
            continue
        laid = 0
        for r in rs:
            x = read_image(str(r["image"]), ImageReadMode.RGB).float() / 255
            wbcs = [b for b, l in zip(r["boxes"], r["labels"]) if l == LABEL_OF["WBC"]]
            for kind in ("clumps", "clean"):
                y, extra = (lay_clump(x.clone(), crops[src], rng, rng.randint(4, 12), wbcs) if kind == "clumps" else (x, []))
                laid += len(extra)
                write_voc_copy(out / f"{src}-{kind}", r, y, extra)
        counts[src] = (len(rs), laid)
    return counts


if __name__ == "__main__":
    report_data_errors()
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default=str(default_data_root()))
    p.add_argument("--out", default=str(HERE / "runs" / "clump-sets"))
    a = p.parse_args()
    torch.set_num_threads(1)
    print(a.out, build(a.data, Path(a.out)))
