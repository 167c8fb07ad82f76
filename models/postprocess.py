"""The app's post-processing, mirrored from src/core/detection/postprocess.ts so that defaults can be
tuned here on the validation split. Order: per-class score threshold, then greedy NMS within each
class, then (optionally) greedy NMS across classes (one cell labelled twice keeps its best label)."""
import numpy as np

from metrics import iou_matrix


def greedy_nms(boxes, scores, iou_thr, groups=None):
    """Indices kept, in descending score order (stable for ties). A box is suppressed by a kept,
    higher-ranked box of the same group whose IoU with it exceeds iou_thr."""
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
        keep.append(order[a])
        suppressed |= ious[a] > iou_thr
    return keep


def postprocess(boxes, labels, scores, score_thresholds, nms_iou, cross_class_nms):
    """score_thresholds: list indexed by label-1."""
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    labels = np.asarray(labels)
    scores = np.asarray(scores, dtype=np.float64)
    thr = np.array([score_thresholds[int(l) - 1] for l in labels]) if len(labels) else np.zeros(0)
    m = scores >= thr
    boxes, labels, scores = boxes[m], labels[m], scores[m]
    keep = greedy_nms(boxes, scores, nms_iou, groups=labels)
    boxes, labels, scores = boxes[keep], labels[keep], scores[keep]
    if cross_class_nms:
        keep = greedy_nms(boxes, scores, nms_iou)
        boxes, labels, scores = boxes[keep], labels[keep], scores[keep]
    return boxes, labels, scores


def tune(dets, gts, n_classes=3, grid=None, log=print):
    """Choose per-class thresholds, NMS IoU and cross-class NMS minimising the mean over classes of
    relative count error (sum|pred-true| / sum true) on the given (validation) detections."""
    grid = grid if grid is not None else [round(x, 3) for x in np.arange(0.05, 0.951, 0.025)]
    true = [[int(np.sum(np.asarray(gl) == c + 1)) for (gb, gl) in gts] for c in range(n_classes)]

    def cost(thr, iou, cross):
        per = []
        for c in range(n_classes):
            err = 0
            for i, (db, dl, ds) in enumerate(dets):
                _, l, _ = postprocess(db, dl, ds, thr, iou, cross)
                err += abs(int(np.sum(l == c + 1)) - true[c][i])
            per.append(err / max(1, sum(true[c])))
        return float(np.mean(per)), per

    best = None
    for iou in (0.3, 0.4, 0.5, 0.6):
        for cross in (False, True):
            thr = [0.5] * n_classes
            for _ in range(2):  # coordinate descent; classes interact only through cross-class NMS
                for c in range(n_classes):
                    scores = []
                    for t in grid:
                        trial = list(thr)
                        trial[c] = t
                        scores.append((cost(trial, iou, cross)[1][c], abs(t - 0.5), t))
                    thr[c] = min(scores)[2]
            total, per = cost(thr, iou, cross)
            log(f"[tune] nms_iou={iou} cross={cross} thresholds={thr} rel_count_err={per} mean={total:.4f}")
            if best is None or total < best[0] - 1e-9:
                best = (total, {"score_thresholds": thr, "nms_iou": iou, "cross_class_nms": cross})
    return best[1]
