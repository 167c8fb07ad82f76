"""Detection metrics, written to match src/core/metrics in the app (same definitions, same numbers).

- VOC all-point AP at one IoU threshold (area under the monotone precision envelope).
- AP@[.5:.95]: all-point AP averaged over IoU 0.50:0.05:0.95 (not the COCO 101-point metric).
- Count accuracy: 1 - sum|pred - true| / sum(true), per class.
"""
import numpy as np



def iou_matrix(a, b):
    a = np.asarray(a, dtype=np.float64).reshape(-1, 4)
    b = np.asarray(b, dtype=np.float64).reshape(-1, 4)
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)))
    ix1 = np.maximum(a[:, None, 0], b[None, :, 0])
    iy1 = np.maximum(a[:, None, 1], b[None, :, 1])
    ix2 = np.minimum(a[:, None, 2], b[None, :, 2])
    iy2 = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.clip(ix2 - ix1, 0, None) * np.clip(iy2 - iy1, 0, None)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a[:, None] + area_b[None, :] - inter
    return np.where(union > 0, inter / np.maximum(union, 1e-12), 0.0)


def average_precision(dets, gts, label, iou_thr):
    """dets: list per image of (boxes[N,4], labels[N], scores[N]); gts: list per image of (boxes, labels).
    Greedy matching in descending score order (ties keep input order), as in the VOC devkit."""
    n_gt = 0
    records = []  # (score, image, box)
    gt_by_img = []
    for i, ((gb, gl), (db, dl, ds)) in enumerate(zip(gts, dets)):
        gb = np.asarray(gb, dtype=np.float64).reshape(-1, 4)[np.asarray(gl) == label]
        gt_by_img.append(gb)
        n_gt += len(gb)
        db = np.asarray(db, dtype=np.float64).reshape(-1, 4)
        m = np.asarray(dl) == label
        for box, s in zip(db[m], np.asarray(ds, dtype=np.float64)[m]):
            records.append((float(s), i, box))
    if n_gt == 0:
        return float("nan")
    order = sorted(range(len(records)), key=lambda k: -records[k][0])  # stable
    used = [np.zeros(len(g), dtype=bool) for g in gt_by_img]
    tp = np.zeros(len(order))
    for rank, k in enumerate(order):
        _, i, box = records[k]
        g = gt_by_img[i]
        if len(g) == 0:
            continue
        ious = iou_matrix(box[None], g)[0]
        j = int(np.argmax(ious))
        if ious[j] >= iou_thr and not used[i][j]:
            used[i][j] = True
            tp[rank] = 1
    ctp = np.cumsum(tp)
    recall = ctp / n_gt
    precision = ctp / np.arange(1, len(order) + 1)
    mrec = np.concatenate([[0.0], recall, [1.0]])
    mpre = np.concatenate([[0.0], precision, [0.0]])
    for k in range(len(mpre) - 2, -1, -1):
        mpre[k] = max(mpre[k], mpre[k + 1])
    idx = np.where(mrec[1:] != mrec[:-1])[0]
    return float(np.sum((mrec[idx + 1] - mrec[idx]) * mpre[idx + 1]))


def evaluate_detections(dets, gts, class_names):
    ap50 = {c: average_precision(dets, gts, k + 1, 0.5) for k, c in enumerate(class_names)}
    coco = {}
    for k, c in enumerate(class_names):
        coco[c] = float(np.mean([average_precision(dets, gts, k + 1, t) for t in np.arange(0.5, 0.951, 0.05)]))
    return {
        "ap50": ap50,
        "map50": float(np.mean(list(ap50.values()))),
        "ap_50_95": coco,
        "map_50_95": float(np.mean(list(coco.values()))),
    }


def count_accuracy(dets, gts, class_names):
    out = {}
    for k, c in enumerate(class_names):
        err, true = 0, 0
        for (gb, gl), (db, dl, ds) in zip(gts, dets):
            t = int(np.sum(np.asarray(gl) == k + 1))
            p = int(np.sum(np.asarray(dl) == k + 1))
            err += abs(p - t)
            true += t
        out[c] = {"accuracy": 1 - err / true if true else float("nan"), "mae": err / max(1, len(gts))}
    return out
