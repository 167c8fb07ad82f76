"""models/border_labels.py: which detections become labels in CBC's partially labelled images, and how
training adds them (dataset.add_border_labels)."""
import json

from .border_labels import select
from .dataset import add_border_labels


def test_only_confident_border_cut_cells_where_no_label_is():
    w, h = 640, 480
    gts = [[10, 100, 90, 180]]
    dets = [
        [0, 200, 40, 260],        # cut by the left border, nothing there: a label
        [300, 300, 340, 340],     # inside the image: never (dust may sit there)
        [600, 0, 640, 30],        # border, but scored low
        [200, 100, 260, 160],     # inside, confident: never
        [0, 95, 85, 180],         # cut by the border, over the labelled cell: no
    ]
    labels = [3, 3, 1, 1, 1]
    scores = [0.9, 0.95, 0.6, 0.99, 0.9]
    out = select(dets, labels, scores, gts, w, h, min_score=0.7)
    assert [x[:5] for x in out] == [[0, 200, 40, 260, 3]]
    assert out[0][5] == 0.9


def test_added_to_partial_records_only(tmp_path):
    f = tmp_path / "bl.json"
    f.write_text(json.dumps({"labels": {"by_image": {"a": [[0, 1, 20, 30, 1, 0.9]], "b": [[0, 0, 9, 9, 3, 0.8]]}}}))
    recs = [
        {"source": "cbc-partial", "name": "a", "boxes": [[50, 50, 90, 90]], "labels": [1], "rbc_size": 40.0},
        {"source": "bccd", "name": "b", "boxes": [], "labels": [], "rbc_size": None},
    ]
    assert add_border_labels(recs, f) == 1
    assert recs[0]["boxes"] == [[50, 50, 90, 90], [0, 1, 20, 30]] and recs[0]["labels"] == [1, 1]
    assert recs[0]["rbc_size"] == 40.0  # the human labels' interior size stays the scale's reference
    assert recs[1]["boxes"] == [] and recs[1]["labels"] == []
