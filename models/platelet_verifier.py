"""A second look at platelet candidates (issue 21: "a count that is calibrated rather than thresholded",
"platelet hard negatives"). The detector proposes platelets down to a low score; a small network reads each
candidate's neighbourhood at full resolution, standardised by the whole field's own colour statistics (so a
cast moves the field and the blob together and colour stays evidence within the field), and decides.

    # 1. the shipped detector's platelet candidates on the detector's training and validation images
    /usr/bin/python3 -m models.platelet_verifier dump --out /work/scratch/pv/cands.pt
    # 2. train on the training images' candidates (20% of their groups held back to choose the threshold),
    #    report on the detector's validation split against the card's threshold
    /usr/bin/python3 -m models.platelet_verifier train --cands /work/scratch/pv/cands.pt

Measured, not shipped unless the README says so."""
import argparse
import random
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from .dataset import CLASSES, RecordDataset, default_data_root, report_data_errors
from .mirror import greedy_nms, iou_matrix

PLT = CLASSES.index("Platelets") + 1
CROP = 32  # px of the network's input
CONTEXT = 3.0  # the crop's side over the candidate's longer side
MIN_SIDE = 30.0  # px of the image: a tiny candidate still shows its neighbours


def candidates(boxes, labels, scores, floor, nms_iou=0.5):
    """The platelet boxes at or above `floor` that survive within-class NMS, by descending score."""
    m = (np.asarray(labels) == PLT) & (np.asarray(scores) >= floor)
    b = np.asarray(boxes, np.float64).reshape(-1, 4)[m]
    s = np.asarray(scores, np.float64)[m]
    if not len(s):
        return b, s
    keep = greedy_nms(b, s, nms_iou)
    return b[keep], s[keep]


def match(cand, truth, iou=0.3):
    """1 for each candidate (in the given, score-descending order) that takes a still unmatched true box."""
    y = np.zeros(len(cand), np.float32)
    if not len(cand) or not len(truth):
        return y
    ious = iou_matrix(cand, truth)
    used = np.zeros(len(truth), bool)
    for i in range(len(cand)):
        j = np.where(~used & (ious[i] >= iou))[0]
        if len(j):
            used[j[np.argmax(ious[i, j])]] = True
            y[i] = 1
    return y


def field_standardise(image):
    """The image (3×H×W, [0, 1]) by its own per-channel mean and spread: the field's cast divides out."""
    mean = image.mean(dim=(1, 2), keepdim=True)
    std = image.std(dim=(1, 2), keepdim=True).clamp_min(1e-3)
    return (image - mean) / std


def crops(image, boxes):
    """CROP×CROP crops centred on each box, side CONTEXT × its longer side (at least MIN_SIDE), the image's
    edge replicated past its border, from the field-standardised image."""
    if not len(boxes):
        return torch.zeros(0, 3, CROP, CROP)
    img = field_standardise(image)
    _, h, w = img.shape
    b = torch.as_tensor(boxes, dtype=torch.float32)
    cx, cy = (b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2
    side = torch.clamp(torch.maximum(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]) * CONTEXT, min=MIN_SIDE)
    # affine grid in normalised coordinates; padding_mode="border" replicates the edge
    theta = torch.zeros(len(b), 2, 3)
    theta[:, 0, 0] = side / w
    theta[:, 1, 1] = side / h
    theta[:, 0, 2] = cx / w * 2 - 1
    theta[:, 1, 2] = cy / h * 2 - 1
    grid = F.affine_grid(theta, (len(b), 3, CROP, CROP), align_corners=False)
    return F.grid_sample(img.expand(len(b), -1, -1, -1), grid, mode="bilinear", padding_mode="border",
                         align_corners=False)


def scalars(boxes, scores, size, rbc_px):
    """Per candidate: the detector's score, its size over the field's RBC size, and whether the image's edge cuts it."""
    w, h = size
    b = np.asarray(boxes, np.float64).reshape(-1, 4)
    side = np.sqrt(np.maximum(1, (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])))
    edge = (b[:, 0] <= 2) | (b[:, 1] <= 2) | (b[:, 2] >= w - 2) | (b[:, 3] >= h - 2)
    return np.stack([np.asarray(scores), np.log(side / max(rbc_px, 1.0)), edge.astype(np.float64)], 1).astype(np.float32)


def field_rbc_px(boxes, labels, scores):
    m = (np.asarray(labels) == 1) & (np.asarray(scores) >= 0.5)
    b = np.asarray(boxes, np.float64).reshape(-1, 4)[m]
    if not len(b):
        return 40.0
    return float(np.median(np.sqrt((b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1]))))


class Verifier(nn.Module):
    def __init__(self, width=16, n_scalars=3):
        super().__init__()
        c = width
        self.features = nn.Sequential(
            nn.Conv2d(3, c, 3, padding=1), nn.GroupNorm(4, c), nn.ReLU(),
            nn.Conv2d(c, 2 * c, 3, stride=2, padding=1), nn.GroupNorm(4, 2 * c), nn.ReLU(),
            nn.Conv2d(2 * c, 2 * c, 3, padding=1), nn.GroupNorm(4, 2 * c), nn.ReLU(),
            nn.Conv2d(2 * c, 4 * c, 3, stride=2, padding=1), nn.GroupNorm(4, 4 * c), nn.ReLU(),
            nn.Conv2d(4 * c, 4 * c, 3, padding=1), nn.GroupNorm(4, 4 * c), nn.ReLU(),
        )
        self.head = nn.Sequential(nn.Linear(4 * c * 2 + n_scalars, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x, s):
        f = self.features(x)
        k = f.shape[-1] // 2
        centre = f[:, :, k - 1:k + 1, k - 1:k + 1].mean(dim=(2, 3))  # the middle of the map: the candidate itself
        return self.head(torch.cat([f.mean(dim=(2, 3)), centre, s], 1)).squeeze(1)


def dump(a):
    from .count_study import _records
    from .engine import predict
    from .model import build_model, load_onnx_weights
    from .scale import DEFAULT_SCALE
    from .train import NATIVE, reference_rbc_px
    torch.set_num_threads(a.threads)
    model = build_model(None, min_size=NATIVE[1], max_size=NATIVE[0], folded=True)
    load_onnx_weights(model, a.onnx)
    model.eval()
    train, val, _ = _records([], a.data)
    train = [r for r in train if r["complete"]]
    scale_cfg = {**DEFAULT_SCALE, "reference_rbc_px": round(reference_rbc_px(train), 1)}
    out = {}
    for part, recs in (("train", train), ("val", val)):
        if a.limit:
            recs = recs[: a.limit]
        ds = RecordDataset(recs)
        dets, gts, _ = predict(model, ds, native=NATIVE, scale_cfg=scale_cfg,
                               log=lambda m: print(f"[{part}] {m}", file=sys.stderr))
        rows = []
        for i, r in enumerate(recs):
            db, dl, dsc = dets[i]
            b, s = candidates(db, dl, dsc, a.floor)
            gb, gl = gts[i]
            truth = np.asarray(gb, np.float64).reshape(-1, 4)[np.asarray(gl) == PLT]
            image, _ = ds.raw(i)
            rows.append({
                "name": r["name"], "source": r["source"], "group": r["group"], "size": r["size"],
                "crops": crops(image, b).half(), "scalars": torch.from_numpy(scalars(b, s, r["size"], field_rbc_px(db, dl, dsc))),
                "y": torch.from_numpy(match(b, truth)), "true": int(len(truth)),
            })
        out[part] = rows
        print(f"[dump] {part}: {len(recs)} images, {sum(len(x['y']) for x in rows)} candidates, "
              f"{sum(int(x['y'].sum()) for x in rows)} on a platelet, {sum(x['true'] for x in rows)} platelets",
              file=sys.stderr)
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    torch.save(out, a.out)


def _cat(rows):
    x = torch.cat([r["crops"] for r in rows]).float()
    s = torch.cat([r["scalars"] for r in rows])
    y = torch.cat([r["y"] for r in rows])
    return x, s, y


def augment(x):
    if random.random() < 0.5:
        x = x.flip(3)
    if random.random() < 0.5:
        x = x.flip(2)
    x = torch.rot90(x, random.randint(0, 3), (2, 3))
    # what standardisation leaves of a cast: small per-channel gains and offsets, per sample
    n = len(x)
    gain = 1 + 0.15 * torch.randn(n, 3, 1, 1)
    off = 0.15 * torch.randn(n, 3, 1, 1)
    return x * gain + off


def predict_rows(net, rows):
    net.eval()
    with torch.no_grad():
        return [torch.sigmoid(net(r["crops"].float(), r["scalars"])).numpy() if len(r["y"]) else np.zeros(0) for r in rows]


def count_acc(rows, counts):
    true = np.array([r["true"] for r in rows], float)
    return 1 - np.abs(np.asarray(counts, float) - true).sum() / max(1.0, true.sum())


def best_threshold(rows, probs, grid=np.arange(0.2, 0.9, 0.025)):
    return min(grid, key=lambda t: (-count_acc(rows, [np.sum(p >= t) for p in probs]), abs(t - 0.5)))


def train(a):
    torch.manual_seed(a.seed)
    random.seed(a.seed)
    torch.set_num_threads(a.threads)
    data = torch.load(a.cands)
    rows, val = data["train"], data["val"]
    groups = sorted({r["group"] for r in rows})
    random.Random(a.seed).shuffle(groups)
    held_groups = set(groups[: int(len(groups) * 0.2)])
    fit_rows = [r for r in rows if r["group"] not in held_groups]
    tune_rows = [r for r in rows if r["group"] in held_groups]
    x, s, y = _cat(fit_rows)
    print(f"fit {len(y)} candidates ({int(y.sum())} platelets), tune {sum(len(r['y']) for r in tune_rows)}")
    net = Verifier(width=a.width)
    opt = torch.optim.AdamW(net.parameters(), lr=a.lr, weight_decay=1e-3)
    steps = a.epochs * ((len(y) + a.batch - 1) // a.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=a.lr, total_steps=steps)
    pos_w = ((len(y) - y.sum()) / max(1, y.sum())).clamp(0.5, 4)
    for ep in range(a.epochs):
        net.train()
        perm = torch.randperm(len(y))
        tot = 0.0
        for i in range(0, len(y), a.batch):
            idx = perm[i:i + a.batch]
            logit = net(augment(x[idx]), s[idx])
            loss = F.binary_cross_entropy_with_logits(logit, y[idx], pos_weight=pos_w)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot += float(loss) * len(idx)
        if (ep + 1) % 5 == 0 or ep == a.epochs - 1:
            print(f"epoch {ep + 1}: loss {tot / len(y):.4f}", flush=True)
    card_t = a.det_threshold
    tune_p = predict_rows(net, tune_rows)
    t = best_threshold(tune_rows, tune_p)
    det_t = best_threshold(tune_rows, [r["scalars"][:, 0].numpy() for r in tune_rows])
    print(f"threshold chosen on the held-back training groups: verifier {t:.3f}; detector alone {det_t:.3f}")
    val_p = predict_rows(net, val)
    for name, sel in [("all", lambda r: True)] + [(src, (lambda src: lambda r: r["source"] == src)(src))
                                                  for src in sorted({r["source"] for r in val})]:
        rr = [r for r in val if sel(r)]
        pp = [p for r, p in zip(val, val_p) if sel(r)]
        det = [int(np.sum(r["scalars"][:, 0].numpy() >= card_t)) for r in rr]
        det2 = [int(np.sum(r["scalars"][:, 0].numpy() >= det_t)) for r in rr]
        ver = [int(np.sum(p >= t)) for p in pp]
        print(f"  val {name:6s} {len(rr):3d} images, {sum(r['true'] for r in rr):4d} platelets: "
              f"card threshold {card_t} {count_acc(rr, det):.3f} ({sum(det)}), detector at {det_t:.3f} "
              f"{count_acc(rr, det2):.3f} ({sum(det2)}), verifier {count_acc(rr, ver):.3f} ({sum(ver)})")
    if a.out:
        torch.save({"state": net.state_dict(), "threshold": float(t), "args": vars(a)}, a.out)


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump")
    d.add_argument("--onnx", default="models/smearcount-frcnn.onnx")
    d.add_argument("--out", required=True)
    d.add_argument("--data", default=str(default_data_root()))
    d.add_argument("--floor", type=float, default=0.1)
    d.add_argument("--limit", type=int, default=0)
    d.add_argument("--threads", type=int, default=2)
    t = sub.add_parser("train")
    t.add_argument("--cands", required=True)
    t.add_argument("--epochs", type=int, default=30)
    t.add_argument("--batch", type=int, default=128)
    t.add_argument("--lr", type=float, default=3e-3)
    t.add_argument("--width", type=int, default=16)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--threads", type=int, default=2)
    t.add_argument("--det-threshold", type=float, default=0.575)
    t.add_argument("--out")
    a = p.parse_args()
    dump(a) if a.cmd == "dump" else train(a)


if __name__ == "__main__":
    report_data_errors()
    main()
