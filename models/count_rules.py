"""Counting rules for one class, fitted on a run's validation split and scored on each of its sets
(models/count_study.py dumps the raw detections). A rule maps the NMS survivors' scores of one image
to a count:

  threshold   the card's rule: survivors scoring >= t, t chosen on validation (min relative count error)
  expected    the sum of calibrated probabilities: each survivor counts P(a true cell | its score),
              isotonic in the score, fitted on validation's survivors matched to the labels (IoU 0.5)
  hybrid      survivors >= t count 1, those between t_lo and t count their calibrated probability

Figures per set: count accuracy (1 - sum|pred - true| / sum true, per image, the card's measure) and
the set's total against its truth (a batch's count)."""
import pickle

import numpy as np

from .metrics import iou_matrix
from .mirror import greedy_nms

GRID = np.round(np.arange(0.05, 0.951, 0.025), 3)


def survivors(dets, gts, c, iou=0.5, match_iou=0.5):
    """Per image: (scores descending, matched-to-a-label flags, number of labels) of class c."""
    rows = []
    for (db, dl, ds), (gb, gl) in zip(dets, gts):
        m = np.asarray(dl) == c + 1
        b, s = np.asarray(db, np.float64).reshape(-1, 4)[m], np.asarray(ds, np.float64)[m]
        if len(s):
            k = greedy_nms(b, s, iou)
            b, s = b[k], s[k]
            o = np.argsort(-s, kind="stable")
            b, s = b[o], s[o]
        g = np.asarray(gb, np.float64).reshape(-1, 4)[np.asarray(gl) == c + 1]
        tp = np.zeros(len(s), bool)
        if len(s) and len(g):
            M = iou_matrix(b, g)
            free = np.ones(len(g), bool)
            for i in range(len(s)):
                j = int(np.argmax(np.where(free, M[i], -1)))
                if free[j] and M[i, j] >= match_iou:
                    tp[i], free[j] = True, False
        rows.append((s, tp, len(g)))
    return rows


def isotonic(x, y):
    """Pool-adjacent-violators: a non-decreasing fit of y on x; returns (breakpoints, values)."""
    o = np.argsort(x, kind="stable")
    x, y = np.asarray(x, float)[o], np.asarray(y, float)[o]
    blocks = []  # [sum, weight, x_min]
    for xi, yi in zip(x, y):
        blocks.append([yi, 1.0, xi])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] >= blocks[-1][0] / blocks[-1][1]:
            s, w, _ = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += w
    return np.array([b[2] for b in blocks]), np.array([b[0] / b[1] for b in blocks])


def calibrate(rows, lo=0.05):
    s = np.concatenate([r[0] for r in rows] or [np.zeros(0)])
    tp = np.concatenate([r[1] for r in rows] or [np.zeros(0, bool)])
    keep = s >= lo
    xs, vs = isotonic(s[keep], tp[keep].astype(float))
    return lambda q: vs[np.clip(np.searchsorted(xs, q, side="right") - 1, 0, len(vs) - 1)] * (q >= lo)


def counts_threshold(rows, t):
    return np.array([np.sum(r[0] >= t) for r in rows], float)


def counts_expected(rows, p, t=None, lo=0.05):
    out = []
    for s, _, _ in rows:
        if t is None:
            out.append(float(np.sum(p(s[s >= lo]))) if len(s) else 0.0)
        else:
            out.append(float(np.sum(s >= t) + (np.sum(p(s[(s >= lo) & (s < t)])) if len(s) else 0.0)))
    return np.array(out)


def score(pred, rows):
    true = np.array([r[2] for r in rows], float)
    acc = 1 - np.abs(pred - true).sum() / max(1.0, true.sum())
    return {"accuracy": round(float(acc), 4), "predicted": round(float(pred.sum()), 1), "true": int(true.sum()),
            "total_error": round(float(abs(pred.sum() - true.sum()) / max(1.0, true.sum())), 4)}


def fit(val_rows):
    true = np.array([r[2] for r in val_rows], float)
    err = [np.abs(counts_threshold(val_rows, t) - true).sum() for t in GRID]
    t = float(GRID[min(range(len(GRID)), key=lambda j: (err[j], abs(GRID[j] - 0.5)))])
    p = calibrate(val_rows)
    # hybrid: the fractional band below the chosen threshold, its floor chosen on validation
    errs = [(np.abs(counts_expected(val_rows, p, t, lo) - true).sum(), lo) for lo in GRID if lo < t]
    lo = min(errs)[1] if errs else t
    return {"t": t, "p": p, "lo": lo}


def rules(fitted):
    t, p, lo = fitted["t"], fitted["p"], fitted["lo"]
    return {
        f"threshold {t:.3f}": lambda rows: counts_threshold(rows, t),
        "expected": lambda rows: counts_expected(rows, p),
        f"hybrid {lo:.3f}-{t:.3f}": lambda rows: counts_expected(rows, p, t, lo),
    }


def report(paths, c, iou=0.5):
    for path in paths:
        d = pickle.loads(open(path, "rb").read())
        sets = {k: survivors(v["dets"], v["gts"], c, iou) for k, v in d["sets"].items()}
        val = [r for k, v in sets.items() if k.startswith("val-") for r in v]
        f = fit(val)
        print(f"== {path} (held out: {d['holdout'] or 'none'}); fitted on {len(val)} validation images")
        for name, rule in rules(f).items():
            line = "  ".join(f"{k} {s['accuracy']:.3f} ({s['predicted']:.0f}/{s['true']})"
                             for k, s in ((k, score(rule(v), v)) for k, v in sets.items()))
            print(f"  {name:22s} {line}")
        # the held-out set's own best threshold (what a transferring rule would need)
        for k, v in sets.items():
            if k.startswith("loo-"):
                true = np.array([r[2] for r in v], float)
                err = [np.abs(counts_threshold(v, t) - true).sum() / true.sum() for t in GRID]
                j = int(np.argmin(err))
                print(f"  {k}: its own best threshold {GRID[j]:.3f} -> {1 - err[j]:.3f}")
