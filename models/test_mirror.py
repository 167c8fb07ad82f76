"""The Python side of the cross-language vectors (see models/mirror.py): the committed
models/test-vectors.json is what the Python copies compute today, and the modules that train and
tune use those copies. src/core/mirror.test.ts checks the TypeScript against the same file."""
import base64
import json
import math

import numpy as np
import pytest
import torch

from . import dataset, differential, mirror, postprocess, scale, transforms


@pytest.fixture(scope="module")
def vectors():
    return json.loads(mirror.VECTORS.read_text())


def _same(a, b, key=""):
    """Equal, but for floating-point rounding: numpy and scipy sum in an order that depends on the CPU's SIMD
    (the crop restoration's blur estimate read 2.3426281477264057 on one machine and 2.342628147726414 on
    another), so a float is compared to 1e-9 of itself and a base64 float32 array (`*_f32`) to 1e-5 per
    element. Everything else (integers, flags, names, lengths) must be exactly as written."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k], k) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y, key) for x, y in zip(a, b))
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    if key.endswith("_f32") and isinstance(a, str) and isinstance(b, str):
        x = np.frombuffer(base64.b64decode(a), "<f4")
        y = np.frombuffer(base64.b64decode(b), "<f4")
        return x.shape == y.shape and bool(np.allclose(x, y, rtol=0, atol=1e-5))
    return a == b


def test_vectors_are_what_the_python_computes(vectors):
    # json round trip: tuples become lists, as in the file
    fresh = json.loads(json.dumps(mirror.build_vectors()))
    assert fresh.keys() == vectors.keys()
    for key in fresh:
        assert _same(fresh[key], vectors[key]), f"{key}: models/test-vectors.json is stale; run python3 -m models.mirror"


def test_rounding_is_all_the_vectors_comparison_forgives():
    f32 = lambda a: base64.b64encode(np.asarray(a, "<f4").tobytes()).decode()  # noqa: E731
    assert _same({"sigma": 2.3426281477264057, "n": 3}, {"sigma": 2.342628147726414, "n": 3})
    assert not _same({"sigma": 2.3426, "n": 3}, {"sigma": 2.3427, "n": 3})
    assert not _same({"n": 3}, {"n": 4}) and not _same({"ok": True}, {"ok": 1.0})
    assert _same({"out_f32": f32([0.5, 0.25])}, {"out_f32": f32([0.500001, 0.25])})
    assert not _same({"out_f32": f32([0.5, 0.25])}, {"out_f32": f32([0.51, 0.25])})
    assert not _same({"out_f32": f32([0.5, 0.25])}, {"out_f32": f32([0.5])})
    assert not _same({"rgba": "QUJD"}, {"rgba": "QUJE"})


def _split(dets):
    return ([d["box"] for d in dets], [mirror.CLASSES.index(d["cls"]) + 1 for d in dets], [d["score"] for d in dets])


def test_each_function_against_the_vectors(vectors):
    cfg = vectors["scale_config"]
    for t in vectors["plan"]:
        s = mirror.plan_scale(t["width"], t["height"], t["native"])
        assert s == t["scale"] and list(mirror.size_at(t["width"], t["height"], s)) == t["size"]
    for t in vectors["estimate"]:
        b, l, sc = _split(t["dets"])
        assert mirror.estimate_ratio(b, l, sc, t["width"], t["height"], t["scale"], cfg) == t["ratio"]
    for t in vectors["second_pass"]:
        assert mirror.second_pass_scale(t["plan"], t["ratio"], t["width"], t["height"], cfg) == t["scale"]
    for t in vectors["fixed_scale"]:
        assert mirror.fixed_scale(t["plan"], t["relative"], t["width"], t["height"], cfg) == t["scale"]
    for t in vectors["postprocess"]:
        b, l, sc = _split(t["dets"])
        thr = [t["params"]["score_thresholds"][c] for c in mirror.CLASSES]
        assert mirror.postprocess_indices(b, l, sc, thr, t["params"]["nms_iou"], t["params"]["cross_class_nms"]) == t["kept"]
    for t in vectors["count_rules"]:
        for rule, kept in t["kept"].items():
            assert mirror.apply_count_rule([d["box"] for d in t["dets"]], [d["cls"] for d in t["dets"]], rule,
                                           t["width"], t["height"]) == kept
    for t in vectors["crop_rect"]:
        m = t.get("min_side", 0)
        assert list(mirror.crop_rect(t["box"], t["factor"], m)) == [t["rect"]["x"], t["rect"]["y"], t["rect"]["side"]]
        assert list(mirror.crop_window(t["box"], t["factor"], m)) == t["window"]
    for t in vectors["edge_indices"]:
        assert mirror.edge_indices(t["start"], t["count"], t["limit"]) == t["indices"]
    for t in vectors["min_wbc_side"]:
        ds = t["dets"]
        assert mirror.min_wbc_side([d["box"] for d in ds], [d["cls"] for d in ds], [d["score"] for d in ds]) == t["min_side"]
    for t in vectors["normalise"]:
        x = np.asarray(t["input"], dtype=np.float32).reshape(3, t["size"], t["size"])
        out = mirror.normalise(x, t["percentile"], t["clip"])
        assert out.ravel().tolist() == np.asarray(t["output"], dtype=np.float32).tolist()
        # the torch path (training) gives the same float32 numbers
        out_t = mirror.normalise(torch.from_numpy(x), t["percentile"], t["clip"])
        assert out_t.numpy().ravel().tolist() == out.ravel().tolist()


def test_training_and_tuning_use_the_mirror():
    assert transforms.plan_scale is mirror.plan_scale
    assert dataset.interior_rbc_size is mirror.interior_rbc_size
    assert postprocess.postprocess is mirror.postprocess and postprocess.greedy_nms is mirror.greedy_nms
    assert scale.DEFAULT_SCALE is mirror.DEFAULT_SCALE


def test_the_classifier_crop_rule_matches_the_vectors(vectors):
    # differential.py's crop rule (the card's `crop`: factor, 95th percentile, clip 1.5) must be the app's
    for t in vectors["crop_rect"]:
        if "min_side" in t:
            continue
        assert list(differential.crop_rect(t["box"], t["factor"])) == [t["rect"]["x"], t["rect"]["y"], t["rect"]["side"]]
    # edge replication: training's crop takes the same source pixels as the app's edgeIndices
    img = torch.arange(3 * 7 * 9, dtype=torch.float32).reshape(3, 7, 9) / (3 * 7 * 9)
    for box in ([-4, -3, 3, 4], [5, 2, 12, 9], [1, 1, 6, 6]):
        x, y, side = mirror.crop_window(box, 1.0)
        xs, ys = mirror.edge_indices(x, side, 9), mirror.edge_indices(y, side, 7)
        want = img[:, ys][:, :, xs]
        got = differential.crop_raw(img, box, size=side, factor=1.0, pad="edge")
        assert torch.allclose(got, want), box
    assert differential.pad_for("wide") == "edge" and differential.pad_for("cast") == differential.PAD
    for t in vectors["normalise"]:
        if (t["percentile"], t["clip"]) != (differential.PCT, 1.5):
            continue
        x = torch.tensor(t["input"], dtype=torch.float32).reshape(3, t["size"], t["size"])
        assert differential.normalise(x).numpy().ravel().tolist() == np.asarray(t["output"], dtype=np.float32).tolist()


class FrameModel(torch.nn.Module):
    """Returns one RBC box covering its whole input, and records the input sizes it was given."""

    def __init__(self):
        super().__init__()
        self.sizes = []

    def forward(self, xs):
        h, w = xs[0].shape[-2:]
        self.sizes.append((w, h))
        return [{"boxes": torch.tensor([[0.0, 0.0, float(w), float(h)]]), "labels": torch.tensor([1]),
                 "scores": torch.tensor([0.9])}]


def test_a_fixed_scale_is_held_to_the_card_limits():
    # 640x480 at 3x the plan scale would be a 1536x1152 input; the app caps it at max_pixels (1024x768)
    m = FrameModel()
    *_, info = scale.detect(m, torch.zeros(3, 480, 640), fixed_scale=3.0)
    assert info["scale"] == pytest.approx((mirror.DEFAULT_SCALE["max_pixels"] / (640 * 480)) ** 0.5)
    assert m.sizes == [(1024, 768)]


def test_boxes_map_back_per_axis():
    # 1001x333 fits the native size at 512x170: x and y scale differently
    m = FrameModel()
    b, *_ = scale.detect(m, torch.zeros(3, 333, 1001), cfg=None)
    assert m.sizes == [(512, 170)]
    assert b[0].tolist() == pytest.approx([0, 0, 1001, 333], abs=1e-3)
