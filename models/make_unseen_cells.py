"""The PBC test split's cells photographed by cameras training never simulates (issue 21's synthetic
"unseen camera" set, `differential.unseen_camera`, applied to the whole single-cell image instead of the
crop), as type folders for `npm run eval`, including `--adapt K` (learning a microscope the classifier
reads badly):

    /usr/bin/python3 -m models.make_unseen_cells [--out models/runs/unseen-cells]
    npm run eval -- models/runs/unseen-cells [--adapt 1,3,5,10]

`--camera 0|1|2` puts every cell through one of the three cameras: one microscope, as a lab adapts to
its own (the default cycles the three, a mixture no single lab has). `--split pbc-val` builds it from the
PBC validation cells instead of the test cells, for choices.

Camera 1's defocus is relative to the cell (sigma 2.4 px of the 64-px crop, the crop's side from the cell's
box in `pbc-boxes.json`), as `unseen_camera` defines it. Sets built before 2026-12-04 scaled it with the
whole 180-px image instead, about twice that blur (sigma ~4.8 px of the crop, where the cell's granules and
lobes are gone); `--blur-of image` builds that harsher set again, for comparison.
"""
import argparse
import json
from pathlib import Path

import torch
from torchvision.io import ImageReadMode, read_image, write_png

from .dataset import default_data_root, report_data_errors, require_data
from .differential import BOXES, crop_rect, unseen_camera

HERE = Path(__file__).resolve().parent


def build(root, out, split=HERE / "wbc-split" / "pbc-test.json", camera=None, blur_of="cell"):
    cells = json.loads(Path(split).read_text())["cells"]
    require_data(root, *sorted({Path(c["image"]).parts[0] for c in cells}))  # pbc-wbc/, cbc/...
    boxes = json.loads(BOXES.read_text())["boxes"]
    for k, c in enumerate(cells):
        x = read_image(str(Path(root) / c["image"]), ImageReadMode.RGB).float() / 255
        side = crop_rect(boxes[c["image"]])[2] if blur_of == "cell" else None
        y = unseen_camera(x, k if camera is None else camera, side=side).clamp(0, 1)
        d = Path(out) / c["type"]
        d.mkdir(parents=True, exist_ok=True)
        write_png((y * 255).round().to(torch.uint8), str(d / (Path(c["image"]).stem + ".png")))
    return len(cells)


if __name__ == "__main__":
    report_data_errors()
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default=str(default_data_root()))
    p.add_argument("--out", default=None, help="default models/runs/unseen-cells[-val][-camN]")
    p.add_argument("--split", choices=["pbc-test", "pbc-val"], default="pbc-test")
    p.add_argument("--blur-of", choices=["cell", "image"], default="cell",
                   help="camera 1's defocus relative to the cell's crop (the definition) or to the whole image "
                        "(the sets before 2026-12-04, about twice the blur)")
    p.add_argument("--camera", type=int, choices=[0, 1, 2], default=None, help="one camera for every cell")
    a = p.parse_args()
    torch.set_num_threads(1)
    out = a.out or str(HERE / "runs" / ("unseen-cells" + ("-val" if a.split == "pbc-val" else "")
                                        + ("" if a.camera is None else f"-cam{a.camera}")
                                        + ("-imageblur" if a.blur_of == "image" else "")))
    print(out, build(a.data, out, HERE / "wbc-split" / f"{a.split}.json", a.camera, a.blur_of))
