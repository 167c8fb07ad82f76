"""The tuner of the app's post-processing (models/postprocess.py): per-microscope averaging (issue 21)."""
from .postprocess import tune


def _image(scores):
    # one class, boxes far apart so NMS keeps every one
    boxes = [[40.0 * k, 0.0, 40.0 * k + 20, 20.0] for k in range(len(scores))]
    return boxes, [1] * len(scores), list(scores)


def _sets():
    # microscope A: 10 fields of 10 cells, all scored 0.9, and 2 debris boxes at 0.3 each
    # microscope B: 1 field of 10 cells, 6 scored 0.9 and 4 scored 0.2 (a paler stain)
    dets = [_image([0.9] * 10 + [0.3, 0.3]) for _ in range(10)] + [_image([0.9] * 6 + [0.2] * 4)]
    gts = [([[0, 0, 1, 1]] * 10, [1] * 10) for _ in range(11)]
    return dets, gts, ["A"] * 10 + ["B"]


def test_pooled_tuning_follows_the_microscope_with_most_cells():
    dets, gts, _ = _sets()
    t = tune(dets, gts, n_classes=1, log=lambda *_: None)["score_thresholds"][0]
    assert t > 0.3  # A's 100 cells outvote B's 10: B loses 4 of 10


def test_per_group_tuning_weighs_each_microscope_the_same():
    dets, gts, groups = _sets()
    t = tune(dets, gts, n_classes=1, log=lambda *_: None, groups=groups)["score_thresholds"][0]
    assert t <= 0.2  # A: 20% over, B: exact, mean 0.10 < (0 + 40%) / 2


def test_one_group_is_the_pooled_tuning():
    dets, gts, _ = _sets()
    a = tune(dets, gts, n_classes=1, log=lambda *_: None)
    b = tune(dets, gts, n_classes=1, log=lambda *_: None, groups=["x"] * len(dets))
    assert a == b
