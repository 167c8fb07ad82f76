"""Issue 21, zoom-out RBC: scores of a pass that enlarged the image, calibrated (mirror.enlarged_scores,
scale.ts enlargedScores), and the shift fitted on validation zoom-out (train.fit_enlarged_shift)."""
import math

import numpy as np

from .mirror import enlarged_scores
from .train import fit_enlarged_shift

PP = {"score_thresholds": {"RBC": 0.5, "WBC": 0.5, "Platelets": 0.5}, "nms_iou": 0.5, "cross_class_nms": False}


def test_no_shift_no_enlargement_changes_nothing():
    s = np.array([0.2, 0.6, 0.9], dtype=np.float32)
    l = np.array([1, 2, 3])
    cfg = {"enlarged_logit_shift": {"RBC": 1.0, "WBC": 0.0, "Platelets": 0.0}}
    assert enlarged_scores(s, l, 1.0, cfg) is not None
    np.testing.assert_array_equal(enlarged_scores(s, l, 1.0, cfg), s)  # not enlarged
    np.testing.assert_array_equal(enlarged_scores(s, l, 0.5, cfg), s)  # shrunk (zoom-in)
    np.testing.assert_array_equal(enlarged_scores(s, l, 2.0, {}), s)   # no shift in the card


def test_the_shift_is_per_class_on_the_logit_scale_per_doubling():
    s = np.array([0.25, 0.25, 0.25])
    l = np.array([1, 2, 3])
    out = enlarged_scores(s, l, 4.0, {"enlarged_logit_shift": {"RBC": 0.5}})
    # two doublings: logit(0.25) + 1.0
    assert math.isclose(out[0], 1 / (1 + math.exp(-(math.log(1 / 3) + 1.0))), rel_tol=1e-12)
    assert out[1] == 0.25 and out[2] == 0.25


def _image(n_true, scores):
    """One enlarged image: n_true RBCs in truth, detections far apart (no NMS) with these scores."""
    k = len(scores)
    boxes = np.array([[30 * i, 0, 30 * i + 20, 20] for i in range(k)], dtype=np.float64)
    gts = (np.array([[30 * i, 0, 30 * i + 20, 20] for i in range(n_true)], dtype=np.float64), np.ones(n_true, int))
    return (boxes, np.ones(k, int), np.array(scores)), gts


def test_the_fit_finds_the_shift_that_counts_the_enlarged_cells_and_prefers_none():
    # 10 true RBCs scored 0.3-0.45 after enlargement (below 0.5), 2 false ones at 0.05
    det, gt = _image(10, [0.3, 0.32, 0.35, 0.38, 0.4, 0.41, 0.42, 0.43, 0.44, 0.45, 0.05, 0.05])
    shift, errors = fit_enlarged_shift([det], [gt], [{"relative": 2.0}], PP)
    assert errors[0.0] == 1.0
    assert 0 < shift <= 1.0 and errors[shift] == 0.0
    # already right without a shift: 0 is kept
    det, gt = _image(3, [0.9, 0.8, 0.7, 0.1])
    shift, errors = fit_enlarged_shift([det], [gt], [{"relative": 2.0}], PP)
    assert shift == 0.0 and errors[0.0] == 0.0
