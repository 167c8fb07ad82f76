"""The Python copies of logic the app runs in TypeScript, in one place.

The app (and `npm run eval`) run src/core; training and tuning run these copies, so that what is tuned
here is what the app will output. Each function names its TypeScript original. `python3 -m
models.mirror` writes models/test-vectors.json (inputs and these functions' outputs);
models/test_mirror.py and src/core/mirror.test.ts check their own code against it, so the two sides
fail the day they drift. Pure Python + NumPy (torch only in normalise, which works on tensors).

Rounding: JavaScript's Math.round rounds halves up, Python's round() to even; js_round is used
wherever the TypeScript rounds.
"""
import base64
import json
import math
from pathlib import Path

import numpy as np

CLASSES = ("RBC", "WBC", "Platelets")  # label = index + 1 (src/core/detection/classes.ts)

DEFAULT_SCALE = {
    "reference_rbc_px": 83.0,  # median interior RBC of CBC-scope images at the 512x384 native size
    "tolerance": 1.25,         # no second pass while the estimate is within [1/1.25, 1.25] of the reference
    "estimate_min_score": 0.5, # RBC detections used for the estimate
    "estimate_min_cells": 3,
    "max_pixels": 1024 * 768,  # cap on the second pass's input size
    "min_scale": 0.1, "max_scale": 4.0,
}
ESTIMATE_BORDER_PX = 2.0  # scale.ts ESTIMATE_BORDER_PX (model pixels)
SIZE_VS_RBC = {"RBC": 1.0, "WBC": 2.0, "Platelets": 0.4}  # postprocess.ts SIZE_VS_RBC


def js_round(x):
    """Math.round: halves go up (towards +infinity)."""
    return math.floor(x + 0.5)


def median(xs):
    """scale.ts median: the mean of the middle two for an even count; None when empty."""
    s = sorted(xs)
    n = len(s)
    if not n:
        return None
    return s[(n - 1) // 2] if n % 2 else 0.5 * (s[n // 2 - 1] + s[n // 2])


# ---------------------------------------------------------------------------------------------------
# Scale (src/core/detection/preprocess.ts planInput, src/core/detection/scale.ts)

def plan_scale(width, height, native=(512, 384)):
    """planInput's scale: the one that fits an image into the model's native size."""
    nw, nh = native
    return min(min(nw, nh) / min(width, height), max(nw, nh) / max(width, height))


def size_at(width, height, scale):
    """sizeAt: the model input size at a scale, floored as torchvision and planInput do."""
    return max(1, math.floor(width * scale)), max(1, math.floor(height * scale))


def touches_border(box, width, height, border):
    x1, y1, x2, y2 = box
    return x1 <= border or y1 <= border or x2 >= width - border or y2 >= height - border


def interior_rbc_size(boxes, labels, width, height, border=ESTIMATE_BORDER_PX):
    """Median sqrt(area) of the RBC boxes not cut by the image border (None when there are none).
    Training measures its labels with this; estimate_ratio applies it to detections."""
    sizes = [math.sqrt(max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1])) for b, l in zip(boxes, labels)
             if int(l) == 1 and not touches_border(b, width, height, border)]
    return median(sizes)


def estimate_ratio(boxes, labels, scores, width, height, scale, cfg=DEFAULT_SCALE):
    """estimateRatio: estimated RBC size / reference, from pass-1 detections in image pixels (the
    model saw the image at `scale` model px per image px); None with too few confident RBCs."""
    keep = [i for i in range(len(labels)) if int(labels[i]) == 1 and float(scores[i]) >= cfg["estimate_min_score"]]
    if len(keep) < cfg["estimate_min_cells"]:
        return None
    b = [[float(v) for v in boxes[i]] for i in keep]
    size = interior_rbc_size(b, [1] * len(b), width, height, ESTIMATE_BORDER_PX / scale)
    return None if size is None else size * scale / cfg["reference_rbc_px"]


def second_pass_scale(plan, ratio, width, height, cfg=DEFAULT_SCALE):
    """secondPassScale: the input scale for pass 2, None when pass 1 stands."""
    if ratio is None or not ratio > 0 or 1 / cfg["tolerance"] <= ratio <= cfg["tolerance"]:
        return None
    s = min(plan / ratio, math.sqrt(cfg["max_pixels"] / (width * height)))
    return max(cfg["min_scale"], min(cfg["max_scale"], s))


def fixed_scale(plan, relative, width, height, cfg=DEFAULT_SCALE):
    """fixedScale: the input scale when the user fixes the magnification (cells shown `relative` times
    the plan scale), held to the same limits as a second pass; no card scale settings: no limits."""
    s = plan * relative
    if cfg is None:
        return s
    s = min(s, math.sqrt(cfg["max_pixels"] / (width * height)))
    return max(cfg["min_scale"], min(cfg["max_scale"], s))


def enlarged_scores(scores, labels, relative, cfg=DEFAULT_SCALE):
    """scale.ts enlargedScores: on a pass that enlarged the image (relative > 1: the cells were smaller than
    the reference and their pixels were stretched), each class's scores are raised on the logit scale by
    its shift times log2(relative); the card's `scale.enlarged_logit_shift`, fitted on validation zoom-out."""
    shift = (cfg or {}).get("enlarged_logit_shift") or {}
    scores = np.asarray(scores)
    if not relative > 1 or not any(shift.get(c, 0) for c in CLASSES):
        return scores
    k = math.log2(relative)
    labels = np.asarray(labels)
    out = scores.astype(np.float64)
    for i, c in enumerate(CLASSES):
        b = shift.get(c, 0)
        m = labels == i + 1
        if b and m.any():
            p = np.clip(out[m], 1e-7, 1 - 1e-7)
            out[m] = 1 / (1 + np.exp(-(np.log(p / (1 - p)) + b * k)))
    return out


def input_scale(width, height, size):
    """inputScale: model px per image px on each axis of a model input of `size` (w, h)."""
    return size[0] / width, size[1] / height


# ---------------------------------------------------------------------------------------------------
# The eyepiece's field of view (src/core/quality/field.ts): found on the image, a small one's square read
# as the image (scale.ts detectWithScale), the ring about it filled with the field's mean for the model

RING_FRACTION = 0.25
CORNER_DARK = 0.8
DARK_LEVEL = 40
MIN_FIELD_SHARE = 0.005
MAX_RIM_PX = 4
MAX_RIM_SHARE = 0.3
MIN_FILL = 0.55
CROP_FIELD_SHARE = 0.3
CROP_MARGIN = 0.08


def _row_spans(inside):
    """field.ts rowSpans: the `inside` pixels with each row's holes filled: area, centroid sums, bounding box."""
    h, w = inside.shape
    area = sx = sy = 0.0
    x0, x1, y0, y1 = w, -1, h, -1
    for y in range(h):
        xs = np.flatnonzero(inside[y])
        if not len(xs):
            continue
        first, last = int(xs[0]), int(xs[-1])
        n = last - first + 1
        area += n
        sx += ((first + last + 1) / 2) * n
        sy += (y + 0.5) * n
        x0, x1, y0, y1 = min(x0, first), max(x1, last), min(y0, y), y
    return area, sx, sy, x0, x1, y0, y1


def find_circular_field(rgba, min_share=MIN_FIELD_SHARE):
    """findCircularField: the eyepiece's disc (cx, cy, r) in the pixels of `rgba` (uint8 HxWx4 or HxWx3), or
    None. Grey levels are float32 as the TypeScript keeps them, compared in float64."""
    from scipy.ndimage import label as label_regions

    h, w = rgba.shape[:2]
    n = w * h
    if n < 64:
        return None
    d = rgba.astype(np.float64)
    grey = (0.299 * d[..., 0] + 0.587 * d[..., 1] + 0.114 * d[..., 2]).astype(np.float32).astype(np.float64)
    pw, ph = max(1, js_round(w / 10)), max(1, js_round(h / 10))

    def corners_dark(cut):
        return all(np.count_nonzero(grey[y0:y0 + ph, x0:x0 + pw] < cut) >= CORNER_DARK * pw * ph
                   for x0, y0 in ((0, 0), (w - pw, 0), (0, h - ph), (w - pw, h - ph)))

    if not corners_dark(RING_FRACTION * 255):
        return None
    hist = np.bincount(np.minimum(255, np.floor(grey + 0.5).astype(np.int64)).ravel(), minlength=256)
    p90 = int(np.argmax(np.cumsum(hist) >= 0.9 * n))
    if p90 < DARK_LEVEL:
        # a small field of view: the lamp's level from the pixels brighter than the ring can be
        bright = int(hist[DARK_LEVEL:].sum())
        if bright < min_share * n:
            return None
        level = DARK_LEVEL + int(np.argmax(np.cumsum(hist[DARK_LEVEL:]) >= 0.9 * bright))
        cut = RING_FRACTION * level
        if not corners_dark(cut):
            return None
        labels, count = label_regions(grey >= cut)  # 4-connected, numbered in scan order as the TypeScript's
        if not count:
            return None
        sizes = np.bincount(labels.ravel())[1:]
        best = int(np.argmax(sizes)) + 1  # the first of the largest
        area, sx, sy, x0, x1, y0, y1 = _row_spans(labels == best)
        if area < min_share * n or area < MIN_FILL * (x1 - x0 + 1) * (y1 - y0 + 1):
            return None
        r = math.sqrt(area / math.pi)
        band = int(np.count_nonzero((grey >= cut) & (grey < 2 * cut)))
        if band > 2 * math.pi * r * max(MAX_RIM_PX, MAX_RIM_SHARE * r):
            return None
        return {"cx": sx / area, "cy": sy / area, "r": r}
    cut = RING_FRACTION * p90
    if not corners_dark(cut):
        return None
    area, sx, sy, *_ = _row_spans(grey >= cut)
    if area < 0.05 * n:
        return None
    return {"cx": sx / area, "cy": sy / area, "r": math.sqrt(area / math.pi)}


def field_share(c, width, height):
    """fieldShare: the share of the frame the disc covers (clipped to it), on the TypeScript's grid."""
    if not (width > 0 and height > 0):
        return 0.0
    step = max(c["r"] / 32, 1e-6)
    inside = 0
    y = max(0.0, c["cy"] - c["r"]) + step / 2
    while y < min(height, c["cy"] + c["r"]):
        x = max(0.0, c["cx"] - c["r"]) + step / 2
        while x < min(width, c["cx"] + c["r"]):
            if (x - c["cx"]) ** 2 + (y - c["cy"]) ** 2 <= c["r"] ** 2:
                inside += 1
            x += step
        y += step
    return min(1.0, (inside * step * step) / (width * height))


def field_region(c, width, height):
    """fieldRegion: the square (x, y, width, height) about a field of view under CROP_FIELD_SHARE of the frame,
    clipped to it, in whole pixels; None for no field or a larger one."""
    if c is None or not c["r"] > 0 or field_share(c, width, height) >= CROP_FIELD_SHARE:
        return None
    half = c["r"] * (1 + CROP_MARGIN)
    x0, y0 = max(0, math.floor(c["cx"] - half)), max(0, math.floor(c["cy"] - half))
    x1, y1 = min(width, math.ceil(c["cx"] + half)), min(height, math.ceil(c["cy"] + half))
    if x1 - x0 < 8 or y1 - y0 < 8:
        return None
    return x0, y0, x1 - x0, y1 - y0


def field_mask(width, height, c):
    """inCircle at each pixel's centre: the pixels fillOutsideField keeps (True) and fills (False)."""
    yy, xx = np.mgrid[0:height, 0:width]
    return (xx + 0.5 - c["cx"]) ** 2 + (yy + 0.5 - c["cy"]) ** 2 <= max(0.0, c["r"]) ** 2


def scale_circle(c, factor):
    """scaleCircle: the circle in the pixels of a copy `factor` times the size."""
    return {"cx": c["cx"] * factor, "cy": c["cy"] * factor, "r": c["r"] * factor}


# ---------------------------------------------------------------------------------------------------
# Post-processing (src/core/detection/postprocess.ts)

def iou_matrix(a, b):
    """geometry.ts iou for every pair: 0 unless the boxes overlap with positive width and height."""
    a = np.asarray(a, dtype=np.float64).reshape(-1, 4)
    b = np.asarray(b, dtype=np.float64).reshape(-1, 4)
    iw = np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0])
    ih = np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1])
    inter = iw * ih
    area = lambda x: np.clip(x[:, 2] - x[:, 0], 0, None) * np.clip(x[:, 3] - x[:, 1], 0, None)
    union = area(a)[:, None] + area(b)[None, :] - inter
    ok = (iw > 0) & (ih > 0) & (union > 0)
    return np.where(ok, inter / np.where(ok, union, 1.0), 0.0)


def greedy_nms(boxes, scores, iou_thr, groups=None):
    """nms: indices kept, in descending score order (ties keep input order). A box is suppressed by a
    kept, higher-ranked box of the same group whose IoU with it exceeds iou_thr."""
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)[order]
    ious = iou_matrix(boxes, boxes)
    if groups is not None:
        g = np.asarray(groups)[order]
        ious = np.where(g[:, None] == g[None, :], ious, 0.0)
    suppressed = np.zeros(len(order), dtype=bool)
    keep = []
    for a in range(len(order)):
        if suppressed[a]:
            continue
        keep.append(int(order[a]))
        suppressed |= ious[a] > iou_thr
    return keep


def postprocess_indices(boxes, labels, scores, score_thresholds, nms_iou, cross_class_nms):
    """postprocess: per-class score threshold, NMS within each class, then optionally across classes.
    score_thresholds: list indexed by label-1. Returns the input indices kept, in kept order."""
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    labels = np.asarray(labels)
    scores = np.asarray(scores, dtype=np.float64)
    idx = np.array([i for i in range(len(labels)) if scores[i] >= score_thresholds[int(labels[i]) - 1]], dtype=int)
    idx = idx[greedy_nms(boxes[idx], scores[idx], nms_iou, groups=labels[idx])]
    if cross_class_nms:
        idx = idx[greedy_nms(boxes[idx], scores[idx], nms_iou)]
    return [int(i) for i in idx]


def postprocess(boxes, labels, scores, score_thresholds, nms_iou, cross_class_nms):
    """postprocess_indices, returning the kept (boxes, labels, scores) arrays."""
    keep = postprocess_indices(boxes, labels, scores, score_thresholds, nms_iou, cross_class_nms)
    return (np.asarray(boxes, dtype=np.float64).reshape(-1, 4)[keep], np.asarray(labels)[keep],
            np.asarray(scores, dtype=np.float64)[keep])


def border_tolerance_px(width, height):
    return max(2.0, 0.005 * min(width, height))


def is_cut_by_border(box, width, height):
    return touches_border(box, width, height, border_tolerance_px(width, height))


def apply_count_rule(boxes, classes, rule, width, height):
    """applyCountRule: the indices of the boxes counted under 'all', 'interior', 'half' or 'top-left'
    (the two-edge rule: a cell cut by the bottom or right edge is left out). classes: class names."""
    n = len(boxes)
    if rule == "all" or not (width > 0 and height > 0):
        return list(range(n))
    if rule == "top-left":
        t = border_tolerance_px(width, height)
        return [i for i in range(n) if not (boxes[i][2] >= width - t or boxes[i][3] >= height - t)]
    cut = [is_cut_by_border(b, width, height) for b in boxes]
    if rule == "interior":
        return [i for i in range(n) if not cut[i]]
    if rule != "half":
        raise ValueError(f"unknown count rule {rule!r}")
    area = lambda b: max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1])
    whole = {}
    for i in range(n):
        if not cut[i]:
            whole.setdefault(classes[i], []).append(area(boxes[i]))
    half = {c: 0.5 * median(a) for c, a in whole.items()}

    def threshold(c):
        if c in half:
            return half[c]
        if "RBC" in half and SIZE_VS_RBC.get(c):
            return half["RBC"] * SIZE_VS_RBC[c] ** 2
        return None

    out = []
    for i in range(n):
        t = None if not cut[i] else threshold(classes[i])
        if not cut[i] or t is None or area(boxes[i]) >= t:
            out.append(i)
    return out


# ---------------------------------------------------------------------------------------------------
# The classifier's crop rule (src/core/differential/crop.ts; the card's `crop`)

def crop_rect(box, factor, min_side=0):
    """cropRect: the square (x, y, side) centred on the box, side = factor x its longer side (at least
    factor x min_side)."""
    x1, y1, x2, y2 = box
    side = factor * max(x2 - x1, y2 - y1, min_side)
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    return cx - side / 2, cy - side / 2, side


def crop_window(box, factor, min_side=0):
    """cropWindow: crop_rect on whole pixels (x, y, side), rounded as the TypeScript rounds."""
    x, y, side = crop_rect(box, factor, min_side)
    return js_round(x), js_round(y), max(1, js_round(side))


def edge_indices(start, count, limit):
    """edgeIndices: the source row or column of each crop pixel, clamped into [0, limit) (edge replication)."""
    return [min(limit - 1, max(0, start + i)) for i in range(count)]


def min_wbc_side(boxes, classes, scores):
    """minWbcSide: the median longer side of the confident (>= 0.5) RBCs, 0 with fewer than 3."""
    sides = sorted(max(b[2] - b[0], b[3] - b[1]) for b, c, s in zip(boxes, classes, scores) if c == "RBC" and s >= 0.5)
    if len(sides) < 3:
        return 0
    m = len(sides) // 2
    return sides[m] if len(sides) % 2 else (sides[m - 1] + sides[m]) / 2


def normalise(x, percentile=0.95, clip=1.5):
    """normaliseChw: each channel of a [3,H,W] tensor or array in [0,1] divided by its percentile value
    (at least 0.05), clipped to [0, clip]. The percentile is the k-th smallest value,
    k = max(1, round(percentile * (n - 1)))."""
    n = x.shape[-1] * x.shape[-2]
    k = max(1, js_round(percentile * (n - 1)))
    if isinstance(x, np.ndarray):
        x = x.astype(np.float32)
        p = np.maximum(np.sort(x.reshape(3, -1), axis=1)[:, k], np.float32(0.05))
        return np.clip(x / p[:, None, None], 0, clip).astype(np.float32)
    flat = x.reshape(3, -1)
    p = flat.sort(dim=1).values[:, k].clamp(min=0.05)
    return (x / p[:, None, None]).clamp(0, clip)


# ---------------------------------------------------------------------------------------------------
# Test vectors

VECTORS = Path(__file__).resolve().parent / "test-vectors.json"


def _dets(rng, n, width, height, size, classes=CLASSES):
    out = []
    for _ in range(n):
        c = classes[int(rng.integers(len(classes)))]
        s = size * (SIZE_VS_RBC[c] if c != "RBC" else 1.0) * float(rng.uniform(0.8, 1.2))
        x = float(rng.uniform(-0.3 * s, width - 0.7 * s))
        y = float(rng.uniform(-0.3 * s, height - 0.7 * s))
        box = [round(max(0.0, x), 2), round(max(0.0, y), 2), round(min(width, x + s), 2), round(min(height, y + s), 2)]
        out.append({"cls": c, "score": round(float(rng.uniform(0.05, 1.0)), 3), "box": box})
    return out


def _split(dets):
    return ([d["box"] for d in dets], [CLASSES.index(d["cls"]) + 1 for d in dets], [d["score"] for d in dets])


def build_vectors(seed=17):
    rng = np.random.default_rng(seed)
    cfg = dict(DEFAULT_SCALE)
    native = [512, 384]
    sizes = [(640, 480), (1280, 960), (400, 300), (1001, 333), (333, 1001), (4000, 3000), (24, 18), (512, 384)]
    plan = [{"width": w, "height": h, "native": native, "scale": plan_scale(w, h, native),
             "size": list(size_at(w, h, plan_scale(w, h, native)))} for w, h in sizes]

    estimate = []
    for w, h, cell, n in [(640, 480, 40, 30), (1280, 960, 25, 60), (400, 300, 130, 8), (640, 480, 40, 2),
                          (200, 150, 90, 6), (640, 480, 70, 20)]:
        s = plan_scale(w, h, native)
        dets = _dets(rng, n, w, h, cell)
        b, l, sc = _split(dets)
        estimate.append({"width": w, "height": h, "scale": s, "dets": dets, "ratio": estimate_ratio(b, l, sc, w, h, s, cfg)})
    # hand-made: four confident RBCs, one on the border, one not confident
    hand = [{"cls": "RBC", "score": 0.9, "box": [10, 10, 50, 50]}, {"cls": "RBC", "score": 0.9, "box": [100, 100, 160, 160]},
            {"cls": "RBC", "score": 0.9, "box": [0, 200, 40, 240]}, {"cls": "RBC", "score": 0.4, "box": [300, 300, 400, 400]},
            {"cls": "RBC", "score": 0.5, "box": [200, 10, 230, 40]}, {"cls": "WBC", "score": 0.99, "box": [400, 100, 500, 200]}]
    b, l, sc = _split(hand)
    estimate.append({"width": 640, "height": 480, "scale": 0.8, "dets": hand, "ratio": estimate_ratio(b, l, sc, 640, 480, 0.8, cfg)})

    second = []
    for w, h in [(640, 480), (4000, 3000), (200, 150)]:
        p = plan_scale(w, h, native)
        for ratio in [None, 0.0, -1.0, 0.5, 0.8, 1 / 1.25, 1.0, 1.25, 1.2501, 2.0, 0.05, 40.0]:
            second.append({"plan": p, "ratio": ratio, "width": w, "height": h, "scale": second_pass_scale(p, ratio, w, h, cfg)})

    fixed = []
    for w, h in [(640, 480), (4000, 3000), (200, 150)]:
        p = plan_scale(w, h, native)
        for rel in [0.01, 0.5, 1.0, 2.0, 3.0, 100.0]:
            fixed.append({"plan": p, "relative": rel, "width": w, "height": h, "scale": fixed_scale(p, rel, w, h, cfg),
                          "unlimited": fixed_scale(p, rel, w, h, None)})

    post = []
    for iou, cross in [(0.3, False), (0.5, False), (0.3, True), (0.6, True)]:
        dets = _dets(rng, 60, 320, 240, 30)
        # exact duplicates with tied scores, to pin the tie order
        dets += [dict(dets[0]), {**dets[1], "cls": "WBC" if dets[1]["cls"] != "WBC" else "RBC"}]
        thr = [0.35, 0.5, 0.625]
        b, l, sc = _split(dets)
        kept = postprocess_indices(b, l, sc, thr, iou, cross)
        post.append({"params": {"score_thresholds": dict(zip(CLASSES, thr)), "nms_iou": iou, "cross_class_nms": cross},
                     "dets": dets, "kept": kept})

    count = []
    for w, h, cell in [(640, 480, 40), (320, 240, 60), (1000, 700, 30)]:
        dets = _dets(rng, 40, w, h, cell)
        boxes = [d["box"] for d in dets]
        classes = [d["cls"] for d in dets]
        count.append({"width": w, "height": h, "dets": dets,
                      "kept": {r: apply_count_rule(boxes, classes, r, w, h) for r in ("all", "interior", "half", "top-left")}})
    # cut cells of a class with no uncut cells: the RBCs stand in; with no RBCs either, kept
    lone = [{"cls": "RBC", "score": 1, "box": [100, 100, 140, 140]}, {"cls": "Platelets", "score": 1, "box": [0, 50, 4, 58]},
            {"cls": "Platelets", "score": 1, "box": [0, 80, 15, 95]}, {"cls": "WBC", "score": 1, "box": [600, 0, 640, 70]}]
    count.append({"width": 640, "height": 480, "dets": lone,
                  "kept": {r: apply_count_rule([d["box"] for d in lone], [d["cls"] for d in lone], r, 640, 480) for r in ("all", "interior", "half", "top-left")}})
    only_cut = [{"cls": "WBC", "score": 1, "box": [0, 0, 10, 10]}]
    count.append({"width": 640, "height": 480, "dets": only_cut,
                  "kept": {r: apply_count_rule([d["box"] for d in only_cut], ["WBC"], r, 640, 480) for r in ("all", "interior", "half", "top-left")}})

    crop = []
    for box, factor in [([10, 20, 50, 40], 1.4), ([1, 1, 4, 4], 1.4), ([0, 0, 10, 10], 1.0), ([100.25, 50.5, 180.75, 120.0], 1.4),
                        ([-5, -5, 20, 30], 2.0), ([3, 3, 4, 6], 1.5)]:
        x, y, side = crop_rect(box, factor)
        crop.append({"box": box, "factor": factor, "rect": {"x": x, "y": y, "side": side}, "window": list(crop_window(box, factor))})
    # the floor on a WBC's crop (a box on a nucleus lobe is widened to the image's median RBC) and edge replication
    for box, factor, min_side in [([10, 20, 30, 32], 1.4, 40.0), ([10, 20, 80, 90], 1.4, 40.0), ([2.5, 3.5, 8.5, 9.0], 1.5, 11.0)]:
        x, y, side = crop_rect(box, factor, min_side)
        crop.append({"box": box, "factor": factor, "min_side": min_side, "rect": {"x": x, "y": y, "side": side},
                     "window": list(crop_window(box, factor, min_side))})
    edge = []
    for start, n, limit in [(-3, 8, 5), (2, 4, 10), (7, 6, 9), (-2, 12, 6)]:
        edge.append({"start": start, "count": n, "limit": limit, "indices": edge_indices(start, n, limit)})
    min_side = []
    for n, classes in ((0, CLASSES), (2, ("RBC",)), (3, ("RBC",)), (4, ("RBC",)), (8, CLASSES), (9, ("RBC", "WBC"))):
        ds = _dets(rng, n, 640, 480, 60, classes)
        min_side.append({"dets": ds, "min_side": min_wbc_side([d["box"] for d in ds], [d["cls"] for d in ds], [d["score"] for d in ds])})

    norm = []
    for size, pct, clip in [(4, 0.95, 1.5), (8, 0.95, 1.5), (5, 0.5, 1.2), (3, 0.95, 1.5)]:
        chw = rng.random((3, size, size)).astype(np.float32)
        chw[2] *= 0.02  # a dark channel: its percentile is floored at 0.05
        out = normalise(chw, pct, clip)
        norm.append({"size": size, "percentile": pct, "clip": clip, "input": [float(v) for v in chw.ravel()],
                     "output": [float(v) for v in out.ravel()]})

    enlarged = []
    for relative, shift in [(2.0, {"RBC": 1.25}), (1.6, {"RBC": 0.75, "Platelets": -0.5}), (1.0, {"RBC": 2.0}),
                            (0.5, {"RBC": 2.0}), (3.0, {}), (1.2, {"WBC": 0.3})]:
        dets = _dets(rng, 12, 640, 480, 40) + [{"cls": "RBC", "score": 1.0, "box": [0, 0, 9, 9]},
                                               {"cls": "RBC", "score": 0.0, "box": [9, 9, 19, 19]}]
        b, l, sc = _split(dets)
        enlarged.append({"relative": relative, "shift": shift, "dets": dets,
                         "scores": [float(v) for v in enlarged_scores(sc, l, relative, {"enlarged_logit_shift": shift})]})

    # the restoration of soft WBC crops (models/restore.py; restore.ts): a sharp crop, soft ones with grain;
    # the crops as base64 of little-endian float32 (CHW), to keep this file small
    from scipy.ndimage import gaussian_filter

    from .restore import DEFAULT as RESTORE, restore_crop
    f32 = lambda a: base64.b64encode(np.asarray(a, "<f4").tobytes()).decode()  # noqa: E731
    restore = []
    yy, xx = np.mgrid[0:20, 0:20]
    disc = np.hypot(yy - 10.3, xx - 9.6)
    for blur, grain, params in [(0.0, 0.0, {}), (2.8, 0.01, {"pad": 6}), (3.6, 0.0, {"pad": 6, "alpha": 0.6}),
                                (1.0, 0.02, {"sigma": 0.5, "pad": 6})]:
        chw = np.stack([0.9 - 0.5 * (disc < 6.5) - 0.2 * (disc < 3), 0.85 - 0.6 * (disc < 6.5), 0.8 - 0.3 * (disc < 6.5)])
        if blur:
            chw = gaussian_filter(chw, (0, blur, blur), mode="nearest")
        chw = np.clip(chw + rng.normal(0, grain, chw.shape) if grain else chw, 0, 1).astype(np.float32)
        r = {**RESTORE, **params}
        out, sigma, done = restore_crop(chw, r)
        restore.append({"size": 20, "params": r, "input_f32": f32(chw), "sigma": sigma, "restored": done,
                        "output_f32": f32(out)})

    # the eyepiece's field of view (field.ts): small synthetic photos as base64 RGBA, and what findCircularField
    # (at the usual floor and at the tiny field's), fieldShare and fieldRegion make of them
    field = []
    frng = np.random.default_rng(23)
    for kind, w, h, share, glint in [("ring", 80, 60, 0.45, False), ("small", 96, 72, 0.06, True), ("small", 96, 72, 0.012, False),
                                     ("tiny", 96, 72, 0.003, False), ("plain", 64, 48, 0, False), ("black", 64, 48, 0, True)]:
        yy, xx = np.mgrid[0:h, 0:w]
        img = frng.normal(6, 2, (h, w, 3))
        if kind == "plain":
            img = 225 - 60 * (((xx % 9) - 4) ** 2 + ((yy % 9) - 4) ** 2 < 9)[..., None] + frng.normal(0, 3, (h, w, 3))
        elif share:
            r = math.sqrt(share * w * h / math.pi)
            cx, cy = w * 0.55, h * 0.45
            disc = (xx + 0.5 - cx) ** 2 + (yy + 0.5 - cy) ** 2 <= r * r
            cells = ((xx % 6) - 3) ** 2 + ((yy % 6) - 3) ** 2 < 4
            smear = np.where(cells[..., None], [190, 110, 140], [235, 205, 215]) + frng.normal(0, 3, (h, w, 3))
            img = np.where(disc[..., None], smear, img)
        if glint:
            img[(xx - 8) ** 2 + (yy - h + 10) ** 2 < 3] = 250
        rgba = np.concatenate([np.clip(np.rint(img), 0, 255), np.full((h, w, 1), 255)], axis=2).astype(np.uint8)
        found = {m: find_circular_field(rgba, m) for m in (MIN_FIELD_SHARE, 0.001)}
        c = found[MIN_FIELD_SHARE]
        field.append({"kind": kind, "width": w, "height": h, "rgba": base64.b64encode(rgba.tobytes()).decode(),
                      "circle": c, "tiny_circle": found[0.001], "share": field_share(c, w, h) if c else None,
                      "region": list(field_region(c, w, h) or []) or None})
    for c in [{"cx": 800.0, "cy": 600.0, "r": 300.0}, {"cx": 20.0, "cy": 600.0, "r": 300.0}, {"cx": 800.0, "cy": 600.0, "r": 560.0},
              {"cx": 1590.3, "cy": 11.7, "r": 140.2}, {"cx": 3.0, "cy": 3.0, "r": 2.0}]:
        field.append({"kind": "circle", "width": 1600, "height": 1200, "circle": c, "share": field_share(c, 1600, 1200),
                      "region": list(field_region(c, 1600, 1200) or []) or None})

    return {
        "about": "Written by `python3 -m models.mirror` from models/mirror.py; checked by models/test_mirror.py "
                 "and src/core/mirror.test.ts. Boxes are [x1, y1, x2, y2].",
        "scale_config": cfg,
        "plan": plan,
        "estimate": estimate,
        "second_pass": second,
        "fixed_scale": fixed,
        "postprocess": post,
        "count_rules": count,
        "crop_rect": crop,
        "edge_indices": edge,
        "min_wbc_side": min_side,
        "normalise": norm,
        "enlarged": enlarged,
        "restore": restore,
        "field": field,
    }


def main(argv=None):
    import argparse
    argparse.ArgumentParser(
        prog="python -m models.mirror",
        description=f"Writes the TypeScript mirror's test vectors ({VECTORS.name}) from the Python reference.",
    ).parse_args(argv)
    VECTORS.write_text(json.dumps(build_vectors(), indent=1) + "\n")
    print(f"wrote {VECTORS}")


if __name__ == "__main__":
    main()
