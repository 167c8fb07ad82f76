"""Exports the seed's architecture, torchvision fasterrcnn_resnet50_fpn with its default 800-px
transform, with random weights (speed only), for `npm run bench`. Never committed: models/seed/ is
git-ignored. Same opset and output contract as ours."""
import argparse
import hashlib
import json
from pathlib import Path

import torch
import torchvision

from .export import export_onnx


def get_args_parser():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--out", default=str(Path(__file__).resolve().parent / "seed" / "seed-resnet50-fpn.onnx"))
    return p


def main(args):
    torch.manual_seed(0)
    model = torchvision.models.detection.fasterrcnn_resnet50_fpn(
        weights=None, weights_backbone=None, num_classes=4).eval()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    export_onnx(model, out)
    data = out.read_bytes()
    facts = {"file": out.name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data),
             "parameters": sum(p.numel() for p in model.parameters())}
    out.with_suffix(".json").write_text(json.dumps(facts, indent=2))
    print(json.dumps(facts))


if __name__ == "__main__":
    torch.set_num_threads(2)
    main(get_args_parser().parse_args())
