"""models/make_stress_sets.py: the boxes move with the pixels under each geometric stress, a cut cell is kept
as the complete labels keep it, and the summary calls a count wrong and a flag excluding as the app does."""
import json

import numpy as np

from . import make_stress_sets as m


def painted(w, h, box):
    x = np.full((h, w, 3), 200, np.float32)
    x[box[1]:box[3], box[0]:box[2]] = 20
    return x


def dark_bbox(x):
    ys, xs = np.nonzero(x[..., 0] < 110)
    return [xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]


def test_rotate_90_moves_the_box_with_its_pixels():
    box = [100, 40, 160, 90]
    x = painted(320, 240, box)
    y, b, l = m.S["rotate-90"](x, [list(map(float, box))], [1], None, [])
    assert y.shape[:2] == (320, 240)
    assert l == [1]
    assert np.allclose(b[0], dark_bbox(y), atol=1)


def test_rotate_20_turns_a_box_about_its_centre_and_keeps_no_black_corner():
    box = [180, 120, 220, 160]
    x = painted(400, 300, box)
    y, b, l = m.rotate(x, [list(map(float, box))], [2], 20)
    assert (y[[0, 0, -1, -1], [0, -1, 0, -1]] > 150).all()  # the corners are picture, not a black fill
    got = dark_bbox(y)
    cx, cy = (got[0] + got[2]) / 2, (got[1] + got[3]) / 2
    assert abs(cx - (b[0][0] + b[0][2]) / 2) < 1.5 and abs(cy - (b[0][1] + b[0][3]) / 2) < 1.5


def test_zoom_in_enlarges_the_boxes_with_the_pixels():
    box = [300, 220, 340, 260]
    x = painted(640, 480, box)
    y, b, _ = m.zoom_in(x, [list(map(float, box))], [1], 2)
    assert y.shape[:2] == (480, 640)
    assert np.allclose(b[0], dark_bbox(y), atol=2)
    assert abs((b[0][2] - b[0][0]) - 80) < 1


def test_a_cut_cell_is_kept_when_a_fifth_of_it_stays_inside():
    x = np.zeros((100, 100, 3), np.float32)
    boxes = [[40, 10, 60, 30], [45, 10, 65, 30], [30, 50, 70, 70]]
    _, b, l = m.crop(x, boxes, [1, 2, 3], 0, 0, 50, 100)
    # 10 of 20 px wide inside: kept, clipped; 5 of 20: a quarter, kept; the third 20 of 40: kept
    assert l == [1, 2, 3] and b[0] == [40, 10, 50, 30]
    _, b, l = m.crop(x, boxes, [1, 2, 3], 0, 0, 48, 100)
    assert l == [1, 3]  # 3 of 20 px (15%) is dropped


def test_a_mosaic_keeps_every_tiles_cells_shrunk():
    t = painted(200, 100, [10, 10, 30, 30])
    tiles = [(t, [[10.0, 10.0, 30.0, 30.0]], [1])] * 9
    y, b, l = m.mosaic(tiles, 0.4)
    assert y.shape[:2] == (120, 240)  # 3x3 tiles of 200x100, times 0.4
    assert len(b) == 9 and l == [1] * 9
    assert np.allclose(b[0], [4, 4, 12, 12])


def test_summary_counts_wrong_flagged_and_silent(tmp_path, capsys):
    def write(name, per):
        (tmp_path / name).mkdir()
        (tmp_path / name / "eval.json").write_text(json.dumps({"perImage": per}))

    t = {"RBC": 10, "WBC": 1, "Platelets": 0}
    ok = {"image": "a.png", "RBC": 9, "WBC": 1, "Platelets": 0, "truth": t, "flags": []}
    write("none", [ok, {**ok, "image": "b.png"}, {**ok, "image": "c.png"}])
    write("x", [
        {**ok, "RBC": 7, "flags": ["out-of-focus"]},  # 30% off, left out
        {**ok, "image": "b.png", "Platelets": 1, "flags": ["unfamiliar-colour", "wbc-type-unsure"]},  # none labelled, one found: advisory
        {**ok, "image": "c.png", "RBC": 13, "flags": ["wbc-type-unsure"]},  # 30% off, no flag but the WBC type's
    ])
    m.summarise(tmp_path)
    row = [r for r in capsys.readouterr().out.splitlines() if r.startswith("x ")][0].split()
    # n, wrong, excluding, advisory, silent | new, excluding, advisory, silent | RBC, RBC without an excluding flag
    assert row[1:6] == ["3", "3", "1", "1", "1"]
    assert row[7:11] == ["3", "1", "1", "1"]
    assert row[12:14] == ["2", "1"]
