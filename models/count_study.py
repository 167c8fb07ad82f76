"""How a count should be made from scores so that it transfers to a microscope the detector never saw
(issue 21: platelets). Two steps:

    # 1. raw detections (through the app's scale logic) of a run's validation split and held-out sets
    /usr/bin/python3 -m models.count_study dump --checkpoint models/runs/loo-bcd/checkpoint.pth --out /tmp/loo-bcd.pkl
    /usr/bin/python3 -m models.count_study dump --onnx models/smearcount-frcnn.onnx --out /tmp/shipped.pkl
    # 2. every counting rule, chosen on the dump's validation split, scored on each of its sets
    /usr/bin/python3 -m models.count_study rules /tmp/loo-*.pkl
    # 3. one threshold per class against two (cells cut by the image's edge apart), same protocol
    /usr/bin/python3 -m models.count_study border /tmp/loo-*.pkl

A rule is fitted on the run's own validation split only (the run never saw its held-out microscope);
its held-out sets say whether it transfers."""
import argparse
import pickle
import sys
from pathlib import Path

import numpy as np
import torch

from .dataset import CLASSES, SOURCES, RecordDataset, default_data_root, load_sources, report_data_errors, split_by_group
from .engine import predict
from .mirror import greedy_nms
from .scale import DEFAULT_SCALE


def _records(holdout, data, seed=42, val_fraction=0.15):
    """The run's training/validation split and held-out records, exactly as models/train.py makes them."""
    quiet = lambda *_: None  # noqa: E731
    records = load_sources(data, [s for s in SOURCES if s[0] not in holdout], log=quiet)
    held = load_sources(data, [s for s in SOURCES if s[0] in holdout], log=quiet) if holdout else []
    groups = {r["group"] for r in held}
    records = [r for r in records if r["group"] not in groups]
    train, val = split_by_group(records, val_fraction, seed)
    complete = {s[0] for s in SOURCES if s[2]}  # held-out sets are scored on complete labels only, as train.py does
    return train, val, [r for r in held if r["source"] in complete]


def dump(a):
    from .export import prepare_for_export
    from .model import build_model, load_onnx_weights
    from .train import NATIVE, load_checkpoint, reference_rbc_px
    torch.set_num_threads(a.threads)
    if a.checkpoint:
        ck = load_checkpoint(a.checkpoint)
        args = argparse.Namespace(**ck["args"])
        model = build_model(args, min_size=NATIVE[1], max_size=NATIVE[0])
        model.load_state_dict(ck["model"])
        prepare_for_export(model)
        holdout = list(args.holdout)
    else:
        model = build_model(None, min_size=NATIVE[1], max_size=NATIVE[0], folded=True)
        load_onnx_weights(model, a.onnx)
        model.eval()
        holdout = []
    train, val, held = _records(holdout, a.data)
    scale_cfg = {**DEFAULT_SCALE, "reference_rbc_px": round(reference_rbc_px(train), 1)}
    sets = {f"val-{s}": [r for r in val if r["source"] == s] for s in sorted({r["source"] for r in val})}
    for s in holdout:
        if any(r["source"] == s for r in held):
            sets[f"loo-{s}"] = [r for r in held if r["source"] == s]
    out = {"holdout": holdout, "sets": {}}
    for name, recs in sets.items():
        dets, gts, _ = predict(model, RecordDataset(recs), native=NATIVE, scale_cfg=scale_cfg)
        out["sets"][name] = {"dets": dets, "gts": gts, "names": [r["name"] for r in recs]}
        print(f"[dump] {name}: {len(recs)} images", file=sys.stderr)
    Path(a.out).write_bytes(pickle.dumps(out))


def nms_survivors(dets, c, iou):
    """Per image: the scores of class c that survive within-class NMS, descending."""
    out = []
    for db, dl, ds in dets:
        m = np.asarray(dl) == c + 1
        b, s = np.asarray(db, np.float64).reshape(-1, 4)[m], np.asarray(ds, np.float64)[m]
        out.append(np.sort(s[greedy_nms(b, s, iou)])[::-1] if len(s) else s)
    return out


def truths(gts, c):
    return np.array([int(np.sum(np.asarray(gl) == c + 1)) for _, gl in gts])


def accuracy(pred, true):
    return 1 - np.abs(np.asarray(pred, float) - true).sum() / max(1, true.sum())


def border(paths, data, iou=0.3, margin=2.0):
    """A second threshold per class for boxes within `margin` px of the image's edge, fitted beside the
    interior one on the dump's validation sets (2-D grid, least count error), against one threshold."""
    from .count_rules import GRID
    size = {r["name"]: r["size"] for r in load_sources(data, SOURCES, log=lambda *_: None)}

    def rows(st, c):
        out = []
        for k, ((db, dl, ds), (_, gl)) in enumerate(zip(st["dets"], st["gts"])):
            w, h = size[st["names"][k]]
            m = np.asarray(dl) == c + 1
            b, s = np.asarray(db, np.float64).reshape(-1, 4)[m], np.asarray(ds, np.float64)[m]
            if len(s):
                keep = greedy_nms(b, s, iou)
                b, s = b[keep], s[keep]
            edge = (b[:, 0] <= margin) | (b[:, 1] <= margin) | (b[:, 2] >= w - margin) | (b[:, 3] >= h - margin)
            out.append((s, edge, int(np.sum(np.asarray(gl) == c + 1))))
        return out

    def counts(rs, ti, te):
        return np.array([np.sum((s >= ti) & ~e) + np.sum((s >= te) & e) for s, e, _ in rs], float)

    def err(rs, ti, te):
        return np.abs(counts(rs, ti, te) - np.array([r[2] for r in rs], float)).sum()

    for path in paths:
        d = pickle.loads(Path(path).read_bytes())
        print(f"== {path} (held out: {', '.join(d['holdout']) or 'none'})")
        for c, name in enumerate(CLASSES):
            val = sum((rows(v, c) for k, v in d["sets"].items() if k.startswith("val-")), [])
            t = min(GRID, key=lambda x: (err(val, x, x), abs(x - 0.5)))
            ti, te = min(((a, b) for a in GRID for b in GRID), key=lambda p: (err(val, *p), abs(p[0] - p[1])))
            print(f"  {name}: one threshold {t:.3f}; inside {ti:.3f}, at the edge {te:.3f}")
            for k, v in d["sets"].items():
                rs = rows(v, c)
                true = max(1, sum(r[2] for r in rs))
                print(f"    {k:10s} one {1 - err(rs, t, t) / true:.3f}  two {1 - err(rs, ti, te) / true:.3f}")


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump")
    src = d.add_mutually_exclusive_group()
    src.add_argument("--checkpoint", help="a training run's checkpoint.pth (its held-out sources are dumped too)")
    src.add_argument("--onnx", default=str(Path(__file__).resolve().parent / "smearcount-frcnn.onnx"),
                     help="an exported detector (default: the shipped one)")
    d.add_argument("--out", required=True)
    d.add_argument("--data", default=str(default_data_root()))
    d.add_argument("--threads", type=int, default=2)
    r = sub.add_parser("rules")
    r.add_argument("dumps", nargs="+")
    r.add_argument("--cls", default="Platelets")
    b = sub.add_parser("border")
    b.add_argument("dumps", nargs="+")
    b.add_argument("--data", default=str(default_data_root()))
    a = p.parse_args()
    if a.cmd == "dump":
        dump(a)
    elif a.cmd == "border":
        border(a.dumps, a.data)
    else:
        from .count_rules import report
        report(a.dumps, CLASSES.index(a.cls))


if __name__ == "__main__":
    report_data_errors()
    main()
