"""Validation images under synthetic colour casts, for checking a detector on colours no training
microscope had (issue 15: an Olympus microscope's pale-blue fields lost every RBC).

Takes the first `--per-source` validation images of each complete-label source (the detector's own
split: split_by_group, seed 42, so no shipped model trained on them) and writes four VOC folders,
none / pale-blue / grey / yellow, as PNG with the labels copied, to a git-ignored folder:

    /usr/bin/python3 -m models.make_cast_sets [--out models/runs/cast-sets]
    npm run eval -- models/runs/cast-sets/pale-blue [--model other.onnx]
"""
import argparse
import re
from pathlib import Path

import torch
import torchvision.transforms.functional as TF
from torchvision.io import ImageReadMode, read_image, write_png

from .dataset import SOURCES, default_data_root, load_sources, report_data_errors, split_by_group

HERE = Path(__file__).resolve().parent


def pale_blue(x):
    return (TF.adjust_saturation(x, 0.45) * torch.tensor([0.80, 0.95, 1.20])[:, None, None]).clamp(0, 1)


def grey(x):
    return TF.adjust_saturation(x, 0.15)


def yellow(x):
    return (x * torch.tensor([1.10, 1.05, 0.70])[:, None, None]).clamp(0, 1)


CASTS = {"none": lambda x: x, "pale-blue": pale_blue, "grey": grey, "yellow": yellow}


def build(root, out, per_source=16, seed=42, val_fraction=0.15):
    recs = load_sources(root, SOURCES, log=None)
    _, val = split_by_group(recs, val_fraction, seed)
    by = {}
    for r in val:
        by.setdefault(r["source"], []).append(r)
    pick = [r for s in sorted(by) for r in by[s][:per_source]]
    for name, f in CASTS.items():
        (out / name / "Images").mkdir(parents=True, exist_ok=True)
        (out / name / "Annotations").mkdir(parents=True, exist_ok=True)
        for r in pick:
            x = read_image(str(r["image"]), ImageReadMode.RGB).float() / 255
            stem = f"{r['source']}-{r['name']}"
            write_png((f(x) * 255).round().to(torch.uint8), str(out / name / "Images" / f"{stem}.png"))
            xml = (Path(r["image"]).parent.parent / "Annotations" / f"{r['name']}.xml").read_text()
            xml = re.sub(r"<filename>[^<]*</filename>", f"<filename>{stem}.png</filename>", xml)
            (out / name / "Annotations" / f"{stem}.xml").write_text(xml)
    return len(pick)


if __name__ == "__main__":
    report_data_errors()
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default=str(default_data_root()))
    p.add_argument("--out", default=str(HERE / "runs" / "cast-sets"))
    p.add_argument("--per-source", type=int, default=16)
    a = p.parse_args()
    torch.set_num_threads(2)
    n = build(a.data, Path(a.out), a.per_source)
    print(f"{n} validation images x {len(CASTS)} casts in {a.out}")
