"""models/count_rules.py: the counting rules measured for issue 21 (platelets on an unseen microscope)."""
import numpy as np

from .count_rules import calibrate, counts_expected, counts_threshold, fit, isotonic, survivors


def test_isotonic_is_non_decreasing_and_pools_violations():
    xs, vs = isotonic([0.1, 0.2, 0.3, 0.4], [0, 1, 0, 1])
    assert list(vs) == sorted(vs)
    assert np.isclose(vs[0], 0) and np.isclose(vs[-1], 1) and np.isclose(vs[1], 0.5)


def _dets():
    # one image: two platelets labelled; detections 0.9 (on the first), 0.4 (on the second), 0.2 (nothing)
    boxes = np.array([[10, 10, 20, 20], [50, 50, 60, 60], [90, 90, 100, 100]], float)
    return [(boxes, np.array([3, 3, 3]), np.array([0.9, 0.4, 0.2]))], [(boxes[:2], np.array([3, 3]))]


def test_survivors_are_matched_to_the_labels():
    dets, gts = _dets()
    (s, tp, n), = survivors(dets, gts, 2)
    assert list(s) == [0.9, 0.4, 0.2] and list(tp) == [True, True, False] and n == 2


def test_rules_count_what_they_say():
    dets, gts = _dets()
    rows = survivors(dets, gts, 2)
    assert counts_threshold(rows, 0.5)[0] == 1 and counts_threshold(rows, 0.3)[0] == 2
    p = calibrate(rows)  # fitted on these rows: 0.2 is never a cell, 0.4 and 0.9 always
    assert np.isclose(counts_expected(rows, p)[0], 2.0)
    assert np.isclose(counts_expected(rows, p, t=0.5, lo=0.1)[0], 2.0)
    f = fit(rows)
    assert 0.2 < f["t"] <= 0.4
