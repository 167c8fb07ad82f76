"""Tuning the app's post-processing defaults on the validation split. The post-processing itself
(per-class score threshold, greedy NMS within each class, then optionally across classes) is the
app's src/core/detection/postprocess.ts, copied in models/mirror.py."""
import numpy as np

from .mirror import greedy_nms, postprocess  # noqa: F401 (the app's post-processing, models/mirror.py)


def tune(dets, gts, n_classes=3, grid=None, log=print, groups=None):
    """Choose per-class thresholds, NMS IoU and cross-class NMS minimising the mean over classes of
    relative count error (sum|pred-true| / sum true) on the given (validation) detections.

    groups (one label per image, e.g. its microscope): the error is then each group's own relative
    error, averaged over the groups (issue 21). Pooled, the source with the most cells sets every
    threshold, and a threshold that suits one microscope need not transfer to the next; averaged, each
    microscope weighs the same.

    Within-class greedy NMS commutes with a score threshold (a box is only ever suppressed by a
    higher-scored one), so each class's count at threshold t is the number of NMS survivors scoring
    >= t: one NMS per image, class and IoU, then every threshold is a count."""
    grid = np.array(grid if grid is not None else [round(x, 3) for x in np.arange(0.05, 0.951, 0.025)])
    true = np.array([[int(np.sum(np.asarray(gl) == c + 1)) for (gb, gl) in gts] for c in range(n_classes)])
    labels = list(groups) if groups is not None else [0] * len(dets)
    masks = [np.array([g == u for g in labels]) for u in sorted(set(labels), key=str)]

    def rel_err(abs_err, c):
        """abs_err: [..., images] absolute count errors of class c -> relative error, pooled per group
        and averaged over groups (groups with none of the class do not vote)."""
        out = [abs_err[..., m].sum(axis=-1) / true[c][m].sum() for m in masks if true[c][m].sum() > 0]
        return np.mean(out, axis=0) if out else np.zeros(abs_err.shape[:-1])

    best = None
    for iou in (0.3, 0.4, 0.5, 0.6):
        thr, per = [], []
        for c in range(n_classes):
            counts = np.zeros((len(grid), len(dets)))
            for i, (db, dl, ds) in enumerate(dets):
                m = np.asarray(dl) == c + 1
                b, s = np.asarray(db, dtype=np.float64).reshape(-1, 4)[m], np.asarray(ds, dtype=np.float64)[m]
                kept = s[greedy_nms(b, s, iou)] if len(s) else s
                counts[:, i] = (kept[None, :] >= grid[:, None]).sum(axis=1)
            err = rel_err(np.abs(counts - true[c][None, :]), c)
            # ties: the threshold closest to 0.5
            k = min(range(len(grid)), key=lambda j: (round(err[j], 9), abs(grid[j] - 0.5)))
            thr.append(float(grid[k]))
            per.append(float(err[k]))
        for cross in (False, True):
            if cross:
                per_c = []
                for c in range(n_classes):
                    e = np.array([abs(int(np.sum(postprocess(db, dl, ds, thr, iou, True)[1] == c + 1)) - true[c][i])
                                  for i, (db, dl, ds) in enumerate(dets)], dtype=np.float64)
                    per_c.append(float(rel_err(e, c)))
            else:
                per_c = per
            total = float(np.mean(per_c))
            log(f"[tune] nms_iou={iou} cross={cross} thresholds={thr} rel_count_err={[round(x, 4) for x in per_c]} "
                f"mean={total:.4f}")
            if best is None or total < best[0] - 1e-9:
                best = (total, {"score_thresholds": thr, "nms_iou": iou, "cross_class_nms": cross})
    return best[1]
