"""Validation images with synthetic dust on the optics, for the batch rule of issue 21
(src/core/quality/optics.ts): a grey speck on a camera sensor or lens sits at the same pixel in every
field while the slide moves.

Takes every validation image of each complete-label source (the detector's own split: split_by_group,
seed 42, so no shipped model trained on them), pastes two soft grey specks at fixed positions (a share
of the frame, so each source, one camera, has them at one pixel position), and writes one VOC folder per
source with the labels unchanged (dust is not a cell), plus the same images without specks:

    /usr/bin/python3 -m models.make_speck_sets [--out models/runs/speck-sets]
    npm run eval -- models/runs/speck-sets/bccd-specks            # the rule on (the folder is the batch)
    npm run eval -- models/runs/speck-sets/bccd-specks --no-optics
    npm run eval -- models/runs/speck-sets/bccd-clean             # false artefacts on clean fields
"""
import argparse
import re
from pathlib import Path

import torch
from torchvision.io import ImageReadMode, read_image, write_png

from .dataset import SOURCES, default_data_root, load_sources, report_data_errors, split_by_group

HERE = Path(__file__).resolve().parent
# (x, y) as shares of the frame, diameter as a share of the source's median RBC, grey level, opacity
SPECKS = [(0.71, 0.23, 0.32, 0.42, 0.8), (0.27, 0.62, 0.26, 0.30, 0.7)]


def speck(x, cx, cy, d, grey, alpha):
    _, h, w = x.shape
    yy = torch.arange(h, dtype=torch.float32)[:, None] + 0.5
    xx = torch.arange(w, dtype=torch.float32)[None, :] + 0.5
    r = ((xx - cx) ** 2 + (yy - cy) ** 2) / (d / 2) ** 2
    a = torch.sigmoid((1 - r) * 5) * alpha
    return x * (1 - a) + grey * a


def write_voc_copy(d, r, x, extra=()):
    """Writes record r's image x (float, [3,H,W] in [0, 1]) as d/Images/<name>.png and its annotation, with
    `extra` platelet boxes (x1, y1, x2, y2) added, as d/Annotations/<name>.xml."""
    stem = r["name"]
    (d / "Images").mkdir(parents=True, exist_ok=True)
    (d / "Annotations").mkdir(parents=True, exist_ok=True)
    write_png((x.clamp(0, 1) * 255).round().to(torch.uint8), str(d / "Images" / f"{stem}.png"))
    xml = (Path(r["image"]).parent.parent / "Annotations" / f"{stem}.xml").read_text()
    xml = re.sub(r"<filename>[^<]*</filename>", f"<filename>{stem}.png</filename>", xml)
    objs = "".join(f"<object><name>Platelets</name><bndbox><xmin>{a}</xmin><ymin>{b}</ymin><xmax>{c}</xmax>"
                   f"<ymax>{e}</ymax></bndbox></object>" for a, b, c, e in extra)
    (d / "Annotations" / f"{stem}.xml").write_text(xml.replace("</annotation>", objs + "</annotation>"))


def split_sets(root, seed=42, val_fraction=0.15):
    """The detector's own split (split_by_group): its training records, and its validation records of each
    complete-label source, by source."""
    train, val = split_by_group(load_sources(root, SOURCES, log=None), val_fraction, seed)
    by = {}
    for r in val:
        if r.get("complete", True):
            by.setdefault(r["source"], []).append(r)
    return train, by


def build(root, out, seed=42, val_fraction=0.15):
    _, by = split_sets(root, seed, val_fraction)
    counts = {}
    for src, rs in sorted(by.items()):
        rbc = sorted(r["rbc_size"] for r in rs if r["rbc_size"])
        med = rbc[len(rbc) // 2] if rbc else 80.0
        for kind in ("specks", "clean"):
            d = out / f"{src}-{kind}"
            for r in rs:
                x = read_image(str(r["image"]), ImageReadMode.RGB).float() / 255
                _, h, w = x.shape
                if kind == "specks":
                    for fx, fy, fd, grey, alpha in SPECKS:
                        x = speck(x, fx * w, fy * h, fd * med, grey, alpha)
                write_voc_copy(d, r, x)
        counts[src] = len(rs)
    return counts


if __name__ == "__main__":
    report_data_errors()
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default=str(default_data_root()))
    p.add_argument("--out", default=str(HERE / "runs" / "speck-sets"))
    a = p.parse_args()
    torch.set_num_threads(1)
    print(a.out, build(a.data, Path(a.out)))
