"""Weight interpolation between a shipped detector and a fine-tune of it (WiSE-FT, Wortsman et al., CVPR 2022).

    python3 -m models.soup --tuned models/runs/cand-clumps/checkpoint.pth --alpha 0.5 --name soup50 \
        [--base models/smearcount-frcnn.onnx] [--run-dir models/runs] [--out-dir DIR] [train.py options]

A fine-tune that starts from the shipped weights stays in their basin, so the straight line between the two
sets of weights is a family of detectors: alpha 0 is the shipped one, 1 the fine-tune. Points on it often keep
most of what the fine-tune gained while losing less of what the shipped detector held, and read new domains
better than either end (WiSE-FT). This writes the interpolated weights as a finished checkpoint
(`<run-dir>/<name>/checkpoint.pth`, no epoch left) and runs train.py's post-training steps on it: thresholds
tuned on the validation split, the enlarged-scale shift, the report sets, the ONNX file and its card (which
records the interpolation). Both models must share the architecture (BatchNorm folded, as any fine-tune from
an ONNX file is); the fine-tune's own train.py arguments (split seed, sources) are reused unless overridden.
"""
import argparse
import json
import sys
from pathlib import Path

import torch

from .engine import load_checkpoint
from .model import build_model, load_onnx_weights
from .train import NATIVE, get_args_parser, main as train_main

HERE = Path(__file__).resolve().parent


def interpolate(base: dict, tuned: dict, alpha: float) -> dict:
    """(1 - alpha) * base + alpha * tuned for every floating tensor; other entries (counters) from tuned."""
    if base.keys() != tuned.keys():
        missing = sorted(set(base) ^ set(tuned))
        raise ValueError(f"the two models do not share an architecture (keys differ: {missing[:5]})")
    out = {}
    for k, t in tuned.items():
        b = base[k]
        if b.shape != t.shape:
            raise ValueError(f"{k}: shape {tuple(b.shape)} against {tuple(t.shape)}")
        out[k] = torch.lerp(b.float(), t.float(), alpha).to(t.dtype) if t.is_floating_point() else t.clone()
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tuned", required=True, help="the fine-tune's checkpoint.pth (train.py)")
    p.add_argument("--base", default=str(HERE / "smearcount-frcnn.onnx"), help="the detector it was tuned from")
    p.add_argument("--alpha", type=float, required=True, help="0 = base, 1 = the fine-tune")
    p.add_argument("--name", required=True)
    p.add_argument("--run-dir", default=str(HERE / "runs"))
    p.add_argument("--out-dir", default=None, help="where the .onnx and card go (default: the run folder)")
    a, rest = p.parse_known_args(argv)
    if not 0.0 <= a.alpha <= 1.0:
        p.error("--alpha is between 0 and 1")
    ckpt = load_checkpoint(a.tuned)
    run_dir = Path(a.run_dir) / a.name
    run_dir.mkdir(parents=True, exist_ok=True)
    # The fine-tune's own arguments, then this run's: same split (seed, sources, val fraction) and recipe facts.
    targs = dict(ckpt["args"])
    targs.update(name=a.name, run_dir=a.run_dir, out_dir=a.out_dir or str(run_dir), init_from=None,
                 init_from_onnx=a.base, resume=True, epochs=ckpt["epoch"] + 1, time_budget=None, train_only=False)
    args = get_args_parser().parse_args(rest, argparse.Namespace(**targs))
    torch.set_num_threads(args.threads)
    model = build_model(args, min_size=NATIVE[1], max_size=NATIVE[0], folded=True)
    load_onnx_weights(model, a.base)
    state = interpolate(model.state_dict(), ckpt["model"], a.alpha)
    # A checkpoint with no epoch left: train.py loads its weights and goes straight to the post-training steps.
    torch.save({**ckpt, "model": state, "epochs": ckpt["epoch"] + 1,
                "args": {**ckpt["args"], "soup": {"base": str(a.base), "tuned": str(a.tuned), "alpha": a.alpha}}},
               run_dir / "checkpoint.pth")
    card = train_main(args)
    if card is None:
        return None
    card["training"]["weights_interpolated"] = {
        "base": Path(a.base).name, "tuned": str(a.tuned), "alpha": a.alpha,
        "rule": "(1 - alpha) * base + alpha * fine-tune, every weight (WiSE-FT); BatchNorm folded in both",
    }
    path = Path(args.out_dir) / f"{a.name}.json"
    path.write_text(json.dumps(card, indent=2) + "\n")
    return card


if __name__ == "__main__":
    sys.exit(0 if main() is not None else 1)
