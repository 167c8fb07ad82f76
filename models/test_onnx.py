"""PyTorch vs ONNX (onnxruntime-node) parity on inputs of different sizes."""
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import torch

from .export import compress_weights, export_onnx

REPO = Path(__file__).resolve().parent.parent
SIZES = [(480, 640), (360, 500)]


def synthetic_smear(h, w, g):
    """A pale field with discs of cell-like sizes and colours, so a (briefly) trained model fires."""
    yy, xx = torch.meshgrid(torch.arange(h), torch.arange(w), indexing="ij")
    x = torch.empty(3, h, w)
    x[0], x[1], x[2] = 0.92, 0.88, 0.86
    for _ in range(12):
        r = float(torch.randint(8, 60, (1,), generator=g))
        cx, cy = (torch.rand(2, generator=g) * torch.tensor([w, h])).tolist()
        col = torch.rand(3, generator=g) * 0.4 + torch.tensor([0.45, 0.2, 0.4])
        m = (xx - cx) ** 2 + (yy - cy) ** 2 <= r * r
        x[:, m] = col[:, None]
    return x.contiguous()


def check_parity(model, workdir, min_score=0.05, score_tol=2e-3, sizes=SIZES, seed=0):
    """Exports `model` (already prepared: BN folded, weights rounded) as the shipped int8-stored ONNX,
    runs PyTorch and ORT on the same inputs, and returns the per-input comparison."""
    if shutil.which("node") is None:
        raise RuntimeError("node is required for the parity check (onnxruntime-node)")
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    fp32 = workdir / "model.fp32.onnx"
    export_onnx(model, fp32)
    compress_weights(fp32, workdir / "model.onnx")
    g = torch.Generator().manual_seed(seed)
    cases = []
    model.eval()
    for k, (h, w) in enumerate(sizes):
        x = synthetic_smear(h, w, g)
        with torch.no_grad():
            out = model([x])[0]
        name = f"input{k}.bin"
        x.numpy().astype(np.float32).tofile(workdir / name)
        cases.append({
            "input": name, "height": h, "width": w,
            "expected": {"boxes": out["boxes"].tolist(), "labels": out["labels"].tolist(), "scores": out["scores"].tolist()},
        })
    (workdir / "reference.json").write_text(json.dumps(
        {"model": "model.onnx", "min_score": min_score, "score_tol": score_tol, "cases": cases}))
    res = subprocess.run(["node", str(REPO / "models" / "parity.mjs"), str(workdir)], cwd=REPO,
                         capture_output=True, text=True, timeout=300)
    if res.returncode != 0:
        raise RuntimeError(f"parity.mjs failed: {res.stderr[-2000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])
