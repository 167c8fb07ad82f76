"""Border-cut cells for CBC's partially labelled Training images (issue 21: platelets cut by the image border).

CBC's original labels omit most cells cut by the image border. The 143 CBC Training images that txl-pbc
did not relabel keep those labels in training (`dataset.SOURCES`, "cbc-partial"), so every border-cut
platelet or RBC in them is a negative the detector is taught to ignore, against the count's rule (every
visible cell, cut ones included). This finds them with the shipped detector and writes them beside the
partial labels:

    /usr/bin/python3 -m models.border_labels [--onnx models/smearcount-frcnn.onnx] [--min-score 0.7]

A detection becomes a label only where (1) the app keeps it (the card's thresholds and NMS), (2) its box
touches the image border (the app's `isCutByBorder` tolerance), (3) it scores at least `--min-score`, and
(4) no labelled box of any class overlaps it (IoU >= 0.3, or half of the smaller box). Inside the image
nothing is added: a speck of dust the detector half-believes sits there (README, "Why platelets were
over-counted"), and CBC's interior labels are the ones a human drew. Training reads the file with
`python3 -m models.train --border-labels` (`dataset.add_border_labels`); validation never holds partial
images, so no figure we choose on sees these labels.
"""
import argparse
import hashlib
import json
from pathlib import Path

import numpy as np
import torch

from .dataset import SOURCES, RecordDataset, default_data_root, load_sources, report_data_errors
from .mirror import is_cut_by_border, postprocess

HERE = Path(__file__).resolve().parent
OUT = HERE / "cbc-border-labels.json"


def overlap(a, b):
    """IoU and intersection over the smaller box, for two [x1, y1, x2, y2] boxes."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    aa = (a[2] - a[0]) * (a[3] - a[1])
    ab = (b[2] - b[0]) * (b[3] - b[1])
    union = aa + ab - inter
    return (inter / union if union > 0 else 0.0), (inter / min(aa, ab) if min(aa, ab) > 0 else 0.0)


def select(boxes, labels, scores, gt_boxes, width, height, min_score=0.7, iou=0.3, ios=0.5):
    """The detections that become labels: cut by the border, confident, and overlapping no label."""
    out = []
    for b, l, s in zip(boxes, labels, scores):
        b = [float(v) for v in b]
        if s < min_score or not is_cut_by_border(b, width, height):
            continue
        if any((lambda o: o[0] >= iou or o[1] >= ios)(overlap(b, g)) for g in gt_boxes):
            continue
        out.append([round(v, 1) for v in b] + [int(l), round(float(s), 3)])
    return out


def build(data, onnx_path, min_score=0.7, threads=2):
    from .model import build_model, load_onnx_weights
    from .scale import detect
    from .train import NATIVE
    torch.set_num_threads(threads)
    card = json.loads(Path(onnx_path).with_suffix(".json").read_text())
    pp = card["postprocess"]
    thr = [pp["score_thresholds"][c["name"]] for c in card["classes"]]
    model = build_model(None, min_size=NATIVE[1], max_size=NATIVE[0], folded=True)
    load_onnx_weights(model, onnx_path)
    model.eval()
    recs = [r for r in load_sources(data, [s for s in SOURCES if s[0] == "cbc-partial"], log=None)]
    ds = RecordDataset(recs)
    found, per_class = {}, {c["name"]: 0 for c in card["classes"]}
    with torch.no_grad():
        for i, r in enumerate(recs):
            image, _ = ds.raw(i)
            b, l, s, _ = detect(model, image, native=NATIVE, cfg=card["scale"])
            b, l, s = postprocess(b, l, s, thr, pp["nms_iou"], pp["cross_class_nms"])
            w, h = r["size"]
            sel = select(b, l, s, r["boxes"], w, h, min_score)
            if sel:
                found[r["name"]] = sel
                for x in sel:
                    per_class[card["classes"][x[4] - 1]["name"]] += 1
    return {
        "what": "border-cut cells the shipped detector finds in CBC's partially labelled Training images, "
                "where no label is (models/border_labels.py); read by models.train --border-labels",
        "detector": {"file": Path(onnx_path).name,
                     "sha256": hashlib.sha256(Path(onnx_path).read_bytes()).hexdigest()},
        "rule": {"min_score": min_score, "card_postprocess": pp, "border": "mirror.is_cut_by_border",
                 "no_overlap": "IoU < 0.3 and intersection < 0.5 of the smaller box, with every label"},
        "images": len(recs), "images_with_additions": len(found), "added": per_class,
        "labels": {"columns": ["x1", "y1", "x2", "y2", "label", "score"], "by_image": found},
    }


if __name__ == "__main__":
    report_data_errors()
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default=str(default_data_root()))
    p.add_argument("--onnx", default=str(HERE / "smearcount-frcnn.onnx"))
    p.add_argument("--min-score", type=float, default=0.7)
    p.add_argument("--out", default=str(OUT))
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    res = build(a.data, a.onnx, a.min_score, a.threads)
    Path(a.out).write_text(json.dumps(res, indent=1) + "\n")
    print(f"{a.out}: {res['images_with_additions']} of {res['images']} images, added {res['added']}")
