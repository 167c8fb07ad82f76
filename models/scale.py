"""Magnification awareness around a PyTorch model: src/core/detection/scale.ts's detectWithScale.

The decisions (plan scale, estimate, second pass, fixed scale) are the app's, from models/mirror.py;
this module only runs the model. Pass 1 runs at the plan scale (the image fitted into the model's
native size). The median size of the confident RBCs not cut by the border estimates the cell scale;
when it is off the reference by more than `tolerance`, the image is rescaled so that RBCs have the
reference size and detected again.

An eyepiece photo's field of view (mirror.find_circular_field, on the image as the app's worker finds it on
its input): the ring about it is filled with the field's mean colour on every pass (fillOutsideField), and a
field under 30% of the frame (a phone held back from the eyepiece) has its square read as the image, planned,
estimated and rescaled on its own, the boxes moved back into the frame (mirror.field_region), with a
magnification fixed by hand as without one.
"""
import numpy as np
import torch
import torch.nn.functional as F

from .mirror import DEFAULT_SCALE, enlarged_scores, estimate_ratio, field_mask, field_region, find_circular_field, input_scale
from .mirror import fixed_scale as fixed_input_scale
from .mirror import plan_scale, scale_circle, second_pass_scale, size_at

__all__ = ["DEFAULT_SCALE", "detect", "resize_to"]


def resize_to(image, scale):
    """image [3,H,W] -> floor(H*scale) x floor(W*scale), bilinear (antialiased when shrinking)."""
    h, w = image.shape[-2:]
    nw, nh = size_at(w, h, scale)
    if (nh, nw) == (h, w):
        return image
    return F.interpolate(image[None], size=(nh, nw), mode="bilinear", align_corners=False,
                         antialias=scale < 1)[0].clamp_(0, 1)


def as_rgba(image):
    """A [3,H,W] float image in [0, 1] as the 8-bit HxWx3 the app decodes (what the field is found on)."""
    return (image.detach().cpu().clamp(0, 1) * 255).round().to(torch.uint8).permute(1, 2, 0).numpy()


def fill_outside(x, c):
    """fillOutsideField on a model input x [3,h,w]: the pixels outside the disc take its mean colour."""
    inside = torch.from_numpy(field_mask(x.shape[-1], x.shape[-2], c))
    if not bool(inside.any()) or bool(inside.all()):
        return x
    x = x.clone()
    for k in range(x.shape[0]):
        x[k][~inside] = x[k][inside].double().mean().float()
    return x


@torch.no_grad()
def detect(model, image, native=(512, 384), cfg=DEFAULT_SCALE, fixed_scale=None, device="cpu", field="find"):
    """Detections in image pixels, with the scale logic. Returns (boxes, labels, scores, info); info["region"]
    is the square (x, y, w, h) read in place of a small field of view's frame, None for the whole image.
    `field`: the eyepiece's disc in image pixels ({cx, cy, r}), None for none, "find" to look for it."""
    h, w = image.shape[-2:]
    if isinstance(field, str):
        field = find_circular_field(as_rgba(image))

    def run(s, region=None):
        src, f = image, field
        if region:
            rx, ry, rw, rh = region
            src = image[:, ry:ry + rh, rx:rx + rw]
            f = field and {"cx": field["cx"] - rx, "cy": field["cy"] - ry, "r": field["r"]}
        sh, sw = src.shape[-2:]
        x = resize_to(src, s)
        if f:
            x = fill_outside(x, scale_circle(f, x.shape[-1] / sw))
        out = model([x.to(device)])[0]
        # per axis: the input size is floored, so x and y scale slightly differently (inputScale)
        sx, sy = input_scale(sw, sh, (x.shape[-1], x.shape[-2]))
        b = out["boxes"].cpu() / torch.tensor([sx, sy, sx, sy])
        if region:
            b = b + torch.tensor([region[0], region[1], region[0], region[1]], dtype=b.dtype)
        return b.numpy(), out["labels"].cpu().numpy(), out["scores"].cpu().numpy()

    def run_enlarged(s, s0, region=None):
        # a pass that enlarges the image: its scores calibrated (mirror.enlarged_scores)
        b, l, sc = run(s, region)
        return b, l, enlarged_scores(sc, l, s / s0, cfg)

    region = field_region(field, w, h) if cfg is not None else None
    rw, rh = (region[2], region[3]) if region else (w, h)
    s0 = plan_scale(rw, rh, native)
    if fixed_scale:
        s = fixed_input_scale(s0, fixed_scale, rw, rh, cfg)
        return (*run_enlarged(s, s0, region), {"scale": s, "relative": s / s0, "ratio": None, "passes": 1, "region": region})
    # (the app runs a pass on the whole frame first, where its worker finds the field; here it is found first)
    b, l, sc = run(s0, region)
    if cfg is None:
        return b, l, sc, {"scale": s0, "relative": 1.0, "ratio": None, "passes": 1, "region": None}
    ox, oy = (region[0], region[1]) if region else (0, 0)
    # the estimate in the pixels of what was read (the square's, where a small field's square was)
    ratio = estimate_ratio(b - np.array([ox, oy, ox, oy]), l, sc, rw, rh, s0, cfg)
    s1 = second_pass_scale(s0, ratio, rw, rh, cfg)
    if s1 is None:
        return b, l, sc, {"scale": s0, "relative": 1.0, "ratio": ratio, "passes": 1, "region": region}
    return (*run_enlarged(s1, s0, region), {"scale": s1, "relative": s1 / s0, "ratio": ratio, "passes": 2, "region": region})
