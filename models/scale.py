"""Magnification awareness around a PyTorch model: src/core/detection/scale.ts's detectWithScale.

The decisions (plan scale, estimate, second pass, fixed scale) are the app's, from models/mirror.py;
this module only runs the model. Pass 1 runs at the plan scale (the image fitted into the model's
native size). The median size of the confident RBCs not cut by the border estimates the cell scale;
when it is off the reference by more than `tolerance`, the image is rescaled so that RBCs have the
reference size and detected again.
"""
import torch
import torch.nn.functional as F

from .mirror import DEFAULT_SCALE, enlarged_scores, estimate_ratio, input_scale, plan_scale, second_pass_scale, size_at
from .mirror import fixed_scale as fixed_input_scale

__all__ = ["DEFAULT_SCALE", "detect", "resize_to"]


def resize_to(image, scale):
    """image [3,H,W] -> floor(H*scale) x floor(W*scale), bilinear (antialiased when shrinking)."""
    h, w = image.shape[-2:]
    nw, nh = size_at(w, h, scale)
    if (nh, nw) == (h, w):
        return image
    return F.interpolate(image[None], size=(nh, nw), mode="bilinear", align_corners=False,
                         antialias=scale < 1)[0].clamp_(0, 1)


@torch.no_grad()
def detect(model, image, native=(512, 384), cfg=DEFAULT_SCALE, fixed_scale=None, device="cpu"):
    """Detections in image pixels, with the scale logic. Returns (boxes, labels, scores, info)."""
    h, w = image.shape[-2:]

    def run(s):
        x = resize_to(image, s).to(device)
        out = model([x])[0]
        # per axis: the input size is floored, so x and y scale slightly differently (inputScale)
        sx, sy = input_scale(w, h, (x.shape[-1], x.shape[-2]))
        b = out["boxes"].cpu() / torch.tensor([sx, sy, sx, sy])
        return b.numpy(), out["labels"].cpu().numpy(), out["scores"].cpu().numpy()

    s0 = plan_scale(w, h, native)

    def run_enlarged(s):
        # a pass that enlarges the image: its scores calibrated (mirror.enlarged_scores)
        b, l, sc = run(s)
        return b, l, enlarged_scores(sc, l, s / s0, cfg)

    if fixed_scale:
        s = fixed_input_scale(s0, fixed_scale, w, h, cfg)
        return (*run_enlarged(s), {"scale": s, "relative": s / s0, "ratio": None, "passes": 1})
    b, l, sc = run(s0)
    if cfg is None:
        return b, l, sc, {"scale": s0, "relative": 1.0, "ratio": None, "passes": 1}
    ratio = estimate_ratio(b, l, sc, w, h, s0, cfg)
    s1 = second_pass_scale(s0, ratio, w, h, cfg)
    if s1 is None:
        return b, l, sc, {"scale": s0, "relative": 1.0, "ratio": ratio, "passes": 1}
    return (*run_enlarged(s1), {"scale": s1, "relative": s1 / s0, "ratio": ratio, "passes": 2})
