"""A split's cells as single-cell images the cell fills, as some microscopes' software saves them (issue 21:
the Motic camera's 120-px crops, one cell filling most of the frame), for `npm run eval`:

    /usr/bin/python3 -m models.make_framed_cells --split models/wbc-split/pbc-val.json --out models/runs/frame-tight-val
    npm run eval -- models/runs/frame-tight-val [--adapt 5]

Each cell: a square `--factor` times its box's longer side about the box's centre (the image's edge pixels
replicated where the square passes it), resized to `--size` px. No colour or focus change: what the
framing alone costs. PBC cells' boxes come from models/pbc-boxes.json, CBC cells carry theirs."""
import argparse
import json
from pathlib import Path

import torch
import torch.nn.functional as F
from torchvision.io import ImageReadMode, read_image, write_png

from .dataset import default_data_root, report_data_errors, require_data
from .differential import BOXES


def frame_cell(x, box, factor=1.1, size=120):
    """CHW float image -> the cell filling a size x size image."""
    x1, y1, x2, y2 = box
    side = max(1, int(round(factor * max(x2 - x1, y2 - y1))))
    top, left = int(round((y1 + y2) / 2 - side / 2)), int(round((x1 + x2) / 2 - side / 2))
    h, w = x.shape[1:]
    pad = max(0, -top, -left, top + side - h, left + side - w)
    if pad:
        x = F.pad(x[None], (pad, pad, pad, pad), mode="replicate")[0]
    crop = x[:, top + pad:top + pad + side, left + pad:left + pad + side]
    return F.interpolate(crop[None], size=(size, size), mode="bilinear", antialias=True, align_corners=False)[0]


def build(split, out, root, factor=1.1, size=120):
    cells = json.loads(Path(split).read_text())["cells"]
    require_data(root, *sorted({Path(c["image"]).parts[0] for c in cells}))  # pbc-wbc/, cbc/...
    boxes = json.loads(BOXES.read_text())["boxes"]
    for k, c in enumerate(cells):
        x = read_image(str(Path(root) / c["image"]), ImageReadMode.RGB).float()
        y = frame_cell(x, c["box"] or boxes[c["image"]], factor, size)
        d = Path(out) / c["type"]
        d.mkdir(parents=True, exist_ok=True)
        write_png(y.round().clamp(0, 255).to(torch.uint8), str(d / f"{k:03d}-{Path(c['image']).stem}.png"))
    return len(cells)


if __name__ == "__main__":
    report_data_errors()
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--split", default="models/wbc-split/pbc-val.json", help="a models/wbc-split JSON (pbc-val, cbc-val, pbc-test)")
    p.add_argument("--out", required=True)
    p.add_argument("--data", default=str(default_data_root()))
    p.add_argument("--factor", type=float, default=1.1, help="the frame's side over the cell box's longer side")
    p.add_argument("--size", type=int, default=120)
    a = p.parse_args()
    torch.set_num_threads(1)
    print(f"{a.out}: {build(a.split, a.out, a.data, a.factor, a.size)} cells")
