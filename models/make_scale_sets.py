"""Builds the magnification test sets from CBC Testing with complete labels (images stay 640x480):

  zoom-in       a centre crop of 400x300, resized up to 640x480 (cells at 1.6x); a cut cell is kept
                when at least 20% of its area is inside, as the complete labels box every visible cell
                (measure it with the default count rule, every visible cell)
  zoom-in-half  the same crop, keeping a cut cell only when at least half of it is inside
                (measure it with `--count-rule half`)
  zoom-out      a 2x2 mosaic of four Testing images (sorted by name, in fours), resized down (cells at 0.5x)

Kept boxes are clipped to the crop. Images are written as
PNG (lossless, so every reader decodes the same pixels) with Pascal VOC annotations, to a git-ignored
folder: the data is never committed.

    /usr/bin/python3 -m models.make_scale_sets [--out models/runs/scale-sets]
"""
import argparse
from pathlib import Path

import torch
import torch.nn.functional as F
from torchvision.io import ImageReadMode, read_image, write_png

from .dataset import CLASSES, default_data_root, parse_voc, report_data_errors, require_data, require_split

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "runs" / "scale-sets"
W, H = 640, 480


def voc(filename, w, h, boxes, labels):
    objs = "".join(
        f"<object><name>{CLASSES[l - 1]}</name><bndbox><xmin>{b[0]:.1f}</xmin><ymin>{b[1]:.1f}</ymin>"
        f"<xmax>{b[2]:.1f}</xmax><ymax>{b[3]:.1f}</ymax></bndbox></object>" for b, l in zip(boxes, labels))
    return (f"<annotation><filename>{filename}</filename><size><width>{w}</width><height>{h}</height>"
            f"<depth>3</depth></size>{objs}</annotation>\n")


def crop_boxes(boxes, labels, x0, y0, x1, y1, min_inside=0.5):
    out_b, out_l = [], []
    for b, l in zip(boxes, labels):
        area = (b[2] - b[0]) * (b[3] - b[1])
        c = [max(b[0], x0), max(b[1], y0), min(b[2], x1), min(b[3], y1)]
        if c[2] <= c[0] or c[3] <= c[1]:
            continue
        if (c[2] - c[0]) * (c[3] - c[1]) >= min_inside * area:
            out_b.append([c[0] - x0, c[1] - y0, c[2] - x0, c[3] - y0])
            out_l.append(l)
    return out_b, out_l


def resize(img, w, h):
    return F.interpolate(img[None].float(), size=(h, w), mode="bilinear", align_corners=False,
                         antialias=w < img.shape[-1]).round().clamp(0, 255).to(torch.uint8)[0]


def write(out_dir, name, img, boxes, labels):
    (out_dir / "Images").mkdir(parents=True, exist_ok=True)
    (out_dir / "Annotations").mkdir(parents=True, exist_ok=True)
    write_png(img, str(out_dir / "Images" / f"{name}.png"))
    (out_dir / "Annotations" / f"{name}.xml").write_text(voc(f"{name}.png", img.shape[-1], img.shape[-2], boxes, labels))


def load_testing(root):
    images = require_split(root, "cbc/Testing")
    labels = Path(root) / "cbc-complete" / "Testing"
    require_data(root, "cbc-complete/Testing/Annotations")
    items = []
    for x in sorted((labels / "Annotations").glob("*.xml")):
        fn, w, h, b, l, _ = parse_voc(x)
        items.append((x.stem, read_image(str(images / "Images" / fn), ImageReadMode.RGB), b, l))
    if not items:
        raise FileNotFoundError(f"no complete-label annotations in {labels}/Annotations")
    return items


def build(root, out=DEFAULT_OUT):
    return build_from(load_testing(root), Path(out))


ZOOM_IN_SETS = {"zoom-in": 0.2, "zoom-in-half": 0.5}  # set -> least share of a cut cell's area inside


def build_from(items, out):
    """items: (stem, uint8 image [3,480,640], boxes, labels). Writes out/zoom-in, out/zoom-in-half and
    out/zoom-out."""
    items = [it for it in items if tuple(it[1].shape[-2:]) == (H, W)]
    dirs = {k: out / k for k in (*ZOOM_IN_SETS, "zoom-out")}
    cw, ch = 400, 300
    for stem, img, b, l in items:
        x0, y0 = (img.shape[-1] - cw) // 2, (img.shape[-2] - ch) // 2
        s = W / cw
        zoomed = resize(img[:, y0:y0 + ch, x0:x0 + cw], W, H)
        for name, min_inside in ZOOM_IN_SETS.items():
            bb, ll = crop_boxes(b, l, x0, y0, x0 + cw, y0 + ch, min_inside=min_inside)
            write(dirs[name], f"{stem}-zoom-in", zoomed, [[v * s for v in box] for box in bb], ll)
    zout = dirs["zoom-out"]
    for k in range(0, len(items) - 3, 4):
        group = items[k:k + 4]
        mosaic = torch.zeros(3, 2 * H, 2 * W, dtype=torch.uint8)
        boxes, labels = [], []
        for j, (stem, img, b, l) in enumerate(group):
            ox, oy = (j % 2) * W, (j // 2) * H
            mosaic[:, oy:oy + H, ox:ox + W] = img[:, :H, :W]
            boxes += [[(box[0] + ox) / 2, (box[1] + oy) / 2, (box[2] + ox) / 2, (box[3] + oy) / 2] for box in b]
            labels += l
        write(zout, f"mosaic-{k // 4:02d}", resize(mosaic, W, H), boxes, labels)
    return dirs


if __name__ == "__main__":
    report_data_errors()
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default=str(default_data_root()))
    p.add_argument("--out", default=str(DEFAULT_OUT))
    a = p.parse_args()
    for k, v in build(a.data, a.out).items():
        print(f"{k}: {len(list((v / 'Images').glob('*.png')))} images in {v}")
