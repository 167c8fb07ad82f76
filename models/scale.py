"""Magnification awareness, mirrored from src/core/detection/scale.ts (the app and `npm run eval` run
the TypeScript; this copy lets training tune thresholds on what the app will really output).

Pass 1 runs at the plan scale (the image fitted into the model's native size). The median size of
the confident RBCs not cut by the border estimates the cell scale; when it is off the reference by
more than `tolerance`, the image is rescaled so that RBCs have the reference size and detected again.
"""
import math

import torch
import torch.nn.functional as F

from .dataset import interior_rbc_size
from .transforms import plan_scale

DEFAULT_SCALE = {
    "reference_rbc_px": 83.0,  # median interior RBC of CBC-scope images at the 512x384 native size
    "tolerance": 1.25,         # no second pass while the estimate is within [1/1.25, 1.25] of the reference
    "estimate_min_score": 0.5, # RBC detections used for the estimate
    "estimate_min_cells": 3,
    "max_pixels": 1024 * 768,  # cap on the second pass's input size
    "min_scale": 0.1, "max_scale": 4.0,
}


def estimate_ratio(boxes, labels, scores, width, height, cfg=DEFAULT_SCALE):
    """Estimated RBC size / reference, from detections in model pixels; None when too few RBCs."""
    keep = [i for i in range(len(labels)) if int(labels[i]) == 1 and float(scores[i]) >= cfg["estimate_min_score"]]
    if len(keep) < cfg["estimate_min_cells"]:
        return None
    b = [list(map(float, boxes[i])) for i in keep]
    size = interior_rbc_size(b, [1] * len(b), width, height)
    if size is None:
        return None
    return size / cfg["reference_rbc_px"]


def resize_to(image, scale):
    """image [3,H,W] -> floor(H*scale) x floor(W*scale), bilinear (antialiased when shrinking)."""
    h, w = image.shape[-2:]
    nh, nw = max(1, math.floor(h * scale)), max(1, math.floor(w * scale))
    if (nh, nw) == (h, w):
        return image
    return F.interpolate(image[None], size=(nh, nw), mode="bilinear", align_corners=False,
                         antialias=scale < 1)[0].clamp_(0, 1)


def second_pass_scale(s0, ratio, width, height, cfg=DEFAULT_SCALE):
    """The input scale for pass 2 (None when pass 1 stands)."""
    if ratio is None or 1 / cfg["tolerance"] <= ratio <= cfg["tolerance"]:
        return None
    s = s0 / ratio
    s = min(s, math.sqrt(cfg["max_pixels"] / (width * height)))
    s = max(cfg["min_scale"], min(cfg["max_scale"], s))
    return s


@torch.no_grad()
def detect(model, image, native=(512, 384), cfg=DEFAULT_SCALE, fixed_scale=None, device="cpu"):
    """Detections in image pixels, with the scale logic. Returns (boxes, labels, scores, info)."""
    h, w = image.shape[-2:]

    def run(s):
        x = resize_to(image, s).to(device)
        out = model([x])[0]
        sx, sy = x.shape[-1] / w, x.shape[-2] / h
        b = out["boxes"].cpu() / torch.tensor([sx, sy, sx, sy])
        return b, out["labels"].cpu(), out["scores"].cpu(), out, x.shape[-2:]

    if fixed_scale:
        s = plan_scale(w, h, native) * fixed_scale
        b, l, sc, _, _ = run(s)
        return b.numpy(), l.numpy(), sc.numpy(), {"scale": s, "ratio": None, "passes": 1}
    s0 = plan_scale(w, h, native)
    b, l, sc, out, (mh, mw) = run(s0)
    ratio = estimate_ratio(out["boxes"].cpu().numpy(), out["labels"].cpu().numpy(), out["scores"].cpu().numpy(),
                           mw, mh, cfg)
    s1 = second_pass_scale(s0, ratio, w, h, cfg)
    if s1 is None:
        return b.numpy(), l.numpy(), sc.numpy(), {"scale": s0, "ratio": ratio, "passes": 1}
    b, l, sc, _, _ = run(s1)
    return b.numpy(), l.numpy(), sc.numpy(), {"scale": s1, "ratio": ratio, "passes": 2}
