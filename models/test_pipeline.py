"""The pipeline end to end on a tiny dataset the test draws itself: parse, train a few iterations,
tune, export, and check PyTorch/ONNX parity. Plus the parser's error messages."""
import json
import random
from pathlib import Path

import numpy as np
import pytest
import torch
from torchvision.io import write_jpeg

from . import train
from .dataset import (AnnotationError, CBCDataset, DataMissingError, load_sources, parse_voc, require_split,
                      split_by_group)
from .export import prepare_for_export
from .model import build_model
from .test_onnx import check_parity
from .transforms import RandomCrop, RandomRot90, train_transforms

COLORS = {"RBC": (200, 90, 100), "WBC": (120, 60, 200), "Platelets": (150, 60, 160)}
RADIUS = {"RBC": (28, 45), "WBC": (55, 80), "Platelets": (7, 14)}


def voc_xml(filename, w, h, objects):
    objs = "".join(
        f"<object><name>{n}</name><pose>Unspecified</pose><truncated>0</truncated><difficult>0</difficult>"
        f"<bndbox><xmin>{x1}</xmin><ymin>{y1}</ymin><xmax>{x2}</xmax><ymax>{y2}</ymax></bndbox></object>"
        for n, (x1, y1, x2, y2) in objects)
    return (f"<annotation><filename>{filename}</filename><size><width>{w}</width><height>{h}</height>"
            f"<depth>3</depth></size>{objs}</annotation>")


def draw_split(root: Path, split: str, n: int, seed: int, w=320, h=240):
    """Synthetic smears: pale background, discs of three sizes and colours."""
    rng = random.Random(seed)
    (root / split / "Images").mkdir(parents=True)
    (root / split / "Annotations").mkdir(parents=True)
    yy, xx = np.mgrid[0:h, 0:w]
    for i in range(n):
        img = np.full((h, w, 3), (235, 225, 220), dtype=np.float32)
        objects = []
        for cls, k in (("RBC", rng.randint(3, 6)), ("WBC", rng.randint(0, 1)), ("Platelets", rng.randint(1, 3))):
            for _ in range(k):
                r = rng.randint(*RADIUS[cls])
                cx, cy = rng.randint(r, w - r), rng.randint(r, h - r)
                img[(xx - cx) ** 2 + (yy - cy) ** 2 <= r * r] = COLORS[cls]
                objects.append((cls, (cx - r, cy - r, cx + r, cy + r)))
        name = f"Synth_{i:03d}.jpg"
        t = torch.from_numpy(img.clip(0, 255).astype(np.uint8)).permute(2, 0, 1).contiguous()
        write_jpeg(t, str(root / split / "Images" / name), quality=95)
        (root / split / "Annotations" / f"Synth_{i:03d}.xml").write_text(voc_xml(name, w, h, objects))


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory):
    """The datasets layout in miniature: two complete-label sources, one partial, and CBC Testing with
    both label sets (640x480, so the zoom sets can be built from it)."""
    root = tmp_path_factory.mktemp("datasets")
    draw_split(root, "txl-pbc/bccd", 8, seed=1)
    draw_split(root, "txl-pbc/pbc", 8, seed=3)
    draw_split(root, "cbc/Training", 4, seed=5)
    draw_split(root, "cbc/Testing", 4, seed=2, w=640, h=480)
    import shutil
    shutil.copytree(root / "cbc" / "Testing" / "Annotations", root / "cbc-complete" / "Testing" / "Annotations")
    return root


def test_train_export_and_parity(tiny_data, tmp_path):
    args = train.get_args_parser().parse_args([
        "--data", str(tiny_data), "--name", "tiny", "--out-dir", str(tmp_path / "out"),
        "--run-dir", str(tmp_path / "runs"), "--epochs", "2", "--max-iters", "3", "--batch-size", "2",
        "--crop", "192", "--val-fraction", "0.25", "--workers", "0", "--warmup-iters", "2",
        "--sources", "bccd", "pbc", "cbc-partial", "--device", "cpu",
    ])
    card = train.main(args)
    onnx_path = tmp_path / "out" / "tiny.onnx"
    assert onnx_path.is_file() and card["bytes"] == onnx_path.stat().st_size
    # validation is carved per complete-label source (2 of 8 each); partial labels never validate
    assert card["training"]["epochs"] == 2 and card["training"]["split"]["validation"] == 4
    assert card["training"]["split"]["train"] == 16
    assert card["training"]["data"]["train_images"] == {"bccd": 6, "pbc": 6, "cbc-partial": 4}
    assert set(card["postprocess"]["score_thresholds"]) == {"RBC", "WBC", "Platelets"}
    assert card["input"]["native_size"] == [512, 384] and card["scale"]["reference_rbc_px"] > 0
    sets = card["metrics"]["sets"]
    assert set(sets) == {"val-bccd", "val-pbc", "cbc-testing-original", "cbc-testing-complete", "zoom-in", "zoom-out"}
    for v in sets.values():
        assert set(v["raw"]) == {"map50", "ap50", "map_50_95"} and set(v["count_accuracy"]) == {"RBC", "WBC", "Platelets"}
    assert sets["zoom-out"]["images"] == 1 and sets["zoom-in"]["images"] == 4
    written = json.loads((tmp_path / "out" / "tiny.json").read_text())
    assert written["sha256"] == card["sha256"] and len(written["sha256"]) == 64
    log = (tmp_path / "runs" / "tiny" / "train.log").read_text()
    assert "[epoch 2/2]" in log and "eta=" in log

    # --resume continues from the saved epoch instead of starting over.
    args.epochs, args.resume = 3, True
    train.main(args)
    log = (tmp_path / "runs" / "tiny" / "train.log").read_text()
    assert "[resume] from epoch 2" in log and "[epoch 3/3]" in log
    # ... with the optimizer and schedule where they stopped: 3 epochs of 3 steps, not a fresh schedule
    assert torch.load(tmp_path / "runs" / "tiny" / "checkpoint.pth", map_location="cpu")["scheduler"]["last_epoch"] == 9

    # A finished run is finished elsewhere (trained on a GPU machine's torch, tuned and exported here):
    # an optimizer state this torch cannot load is not needed, so it is not read.
    ck_path = tmp_path / "runs" / "tiny" / "checkpoint.pth"
    ck = torch.load(ck_path, map_location="cpu")
    ck["optimizer"]["param_groups"][1]["params"] = ck["optimizer"]["param_groups"][1]["params"][:1]
    torch.save(ck, ck_path)
    params = [q for q in build_model(**ck["model_cfg"]).parameters() if q.requires_grad]
    with pytest.raises(ValueError):
        torch.optim.AdamW([{"params": [q for q in params if q.ndim > 1]},
                           {"params": [q for q in params if q.ndim <= 1]}]).load_state_dict(ck["optimizer"])
    assert train.main(args)["training"]["epochs"] == 3

    # Parity: the exported graph computes what PyTorch computes, on two input sizes.
    ckpt = torch.load(tmp_path / "runs" / "tiny" / "checkpoint.pth", map_location="cpu")
    model = build_model(**ckpt["model_cfg"])
    model.load_state_dict(ckpt["model"])
    prepare_for_export(model)
    # A model trained for a few iterations is unsure of everything: compare all it outputs.
    model.roi_heads.score_thresh = 0.0
    results = check_parity(model, tmp_path / "parity", min_score=0.0)
    for r in results:
        assert r["labels_dtype"] == "int64"
        assert r["checked"] > 0, r
        assert r["matched"] >= 0.9 * r["checked"], r


def test_non_finite_loss_stops_training(tiny_data, tmp_path):
    args = train.get_args_parser().parse_args([
        "--data", str(tiny_data), "--name", "nan", "--out-dir", str(tmp_path), "--run-dir", str(tmp_path),
        "--epochs", "1", "--max-iters", "2", "--batch-size", "2", "--crop", "160", "--workers", "0", "--lr", "1e30",
        "--warmup-iters", "0", "--sources", "bccd", "--device", "cpu",
    ])
    from .engine import NonFiniteLoss
    with pytest.raises(NonFiniteLoss, match="non-finite loss"):
        train.main(args)


def test_parser_errors_name_the_file(tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_text("<annotation><size><width>640")
    with pytest.raises(AnnotationError, match="bad.xml: malformed XML"):
        parse_voc(bad)
    unknown = tmp_path / "unknown.xml"
    unknown.write_text(voc_xml("x.jpg", 640, 480, [("Neutrophil", (1, 1, 50, 50))]))
    with pytest.raises(AnnotationError, match="unknown.xml: unknown class 'Neutrophil'"):
        parse_voc(unknown)
    nobox = tmp_path / "nobox.xml"
    nobox.write_text("<annotation><size><width>640</width><height>480</height></size>"
                     "<object><name>RBC</name><bndbox><xmin>a</xmin></bndbox></object></annotation>")
    with pytest.raises(AnnotationError, match="nobox.xml: object RBC has an invalid <bndbox>"):
        parse_voc(nobox)


def test_degenerate_boxes_are_dropped_and_counted(tmp_path):
    x = tmp_path / "d.xml"
    x.write_text(voc_xml("d.jpg", 640, 480, [("RBC", (10, 10, 80, 80)), ("Platelets", (5, 5, 6, 40)), ("WBC", (700, 0, 500, 90))]))
    fn, w, h, boxes, labels, dropped = parse_voc(x)
    assert (w, h, dropped) == (640, 480, 1)
    assert boxes == [[10, 10, 80, 80], [500, 0, 640, 90]] and labels == [1, 2]


def test_missing_image_and_missing_data_are_clear(tmp_path):
    (tmp_path / "S" / "Images").mkdir(parents=True)
    (tmp_path / "S" / "Annotations").mkdir()
    (tmp_path / "S" / "Annotations" / "a.xml").write_text(voc_xml("a.jpg", 640, 480, []))
    with pytest.raises(DataMissingError, match="a.xml: image a.jpg not found"):
        CBCDataset(tmp_path / "S", log=None)
    with pytest.raises(DataMissingError, match="SMEARCOUNT_DATA"):
        require_split(tmp_path / "nowhere", "Training")
    with pytest.raises(DataMissingError, match="SMEARCOUNT_DATA"):
        load_sources(tmp_path / "nowhere", log=None)


def test_split_keeps_copies_of_one_image_together(tiny_data, tmp_path):
    """A CBC Training image and its bccd / bcd copies share a group, so they land in one split."""
    import csv as _csv
    import shutil
    root = tmp_path / "d"
    shutil.copytree(tiny_data, root)
    # Declare bccd Synth_000 and pbc Synth_001 to be copies of CBC Training Synth_002.
    with open(root / "txl-pbc" / "cbc-training-copies.csv", "w", newline="") as f:
        w = _csv.writer(f)
        w.writerow(["source", "file", "cbc_training_image", "flip"])
        w.writerow(["bccd", "Synth_000.jpg", "Synth_002.jpg", "none"])
        w.writerow(["pbc", "Synth_001.jpg", "Synth_002.jpg", "none"])
    recs = load_sources(root, log=None, sources=(("bccd", "txl-pbc/bccd", True), ("pbc", "txl-pbc/pbc", True),
                                                  ("cbc-partial", "cbc/Training", False)))
    # the CBC image relabelled in bccd is taken from there, not from cbc/ with partial labels
    assert not any(r["source"] == "cbc-partial" and r["name"] == "Synth_002" for r in recs)
    for seed in range(10):
        tr, va = split_by_group(recs, 0.3, seed)
        sides = {("val" if r in va else "train") for r in recs if r["group"] == "cbc:Synth_002"}
        assert len(sides) == 1
        assert not {r["group"] for r in tr} & {r["group"] for r in va}


def test_scale_sets_follow_the_rules(tiny_data, tmp_path):
    from .make_scale_sets import build
    out = build(tiny_data, tmp_path / "sets")
    fn, w, h, b, l, _ = parse_voc(next((out["zoom-in"] / "Annotations").glob("*.xml")))
    assert (w, h) == (640, 480)
    for box in b:
        assert 0 <= box[0] < box[2] <= 640 and 0 <= box[1] < box[3] <= 480
    fn, w, h, b, l, _ = parse_voc(next((out["zoom-out"] / "Annotations").glob("*.xml")))
    total = sum(len(parse_voc(x)[3]) for x in (tiny_data / "cbc-complete" / "Testing" / "Annotations").glob("*.xml"))
    assert (w, h) == (640, 480) and len(b) == total  # a mosaic keeps every box of its four images


def test_transforms_move_boxes_with_pixels():
    random.seed(0)
    img = torch.zeros(3, 40, 60)
    img[:, 5:15, 10:30] = 1.0  # a bright 20x10 block at x 10..30, y 5..15
    target = {"boxes": torch.tensor([[10.0, 5.0, 30.0, 15.0]]), "labels": torch.tensor([1])}
    for _ in range(8):
        out, t = RandomRot90()(img, target)
        ys, xs = torch.nonzero(out[0] > 0.5, as_tuple=True)
        b = t["boxes"][0].tolist()
        assert b == [xs.min().item(), ys.min().item(), xs.max().item() + 1, ys.max().item() + 1]
    for _ in range(8):
        out, t = train_transforms(0)(img, target)
        if len(t["boxes"]):
            ys, xs = torch.nonzero(out.mean(0) > 0.5, as_tuple=True)
            b = t["boxes"][0]
            assert abs(b[0] - xs.min()) <= 2 and abs(b[2] - (xs.max() + 1)) <= 2
    # Crops keep boxes mostly inside and drop slivers.
    random.seed(3)
    _, t = RandomCrop((20, 20), min_visible=0.5)(img, target)
    for b in t["boxes"]:
        assert 0 <= b[0] < b[2] <= 20 and 0 <= b[1] < b[3] <= 20


def test_zoom_in_sets_keep_cut_cells_by_their_share_inside(tmp_path):
    """zoom-in keeps a cut cell from 20% of its area inside (complete labels box every visible cell);
    zoom-in-half from 50% (for the count rule `half`)."""
    from .make_scale_sets import build_from
    img = torch.zeros(3, 480, 640, dtype=torch.uint8)
    # the 400x300 centre crop spans x 120..520; boxes 100 px wide straddling its left edge
    boxes = [[120 - 70, 200, 120 + 30, 260],   # 30% inside
             [120 - 40, 200, 120 + 60, 260],   # 60% inside
             [120 - 90, 300, 120 + 10, 360],   # 10% inside
             [300, 200, 340, 240]]             # fully inside
    out = build_from([("a", img, boxes, [1, 1, 1, 3])], tmp_path)
    n_in = len(parse_voc(next((out["zoom-in"] / "Annotations").glob("*.xml")))[3])
    n_half = len(parse_voc(next((out["zoom-in-half"] / "Annotations").glob("*.xml")))[3])
    assert (n_in, n_half) == (3, 2)


def test_class_rows_only_moves_that_class_alone():
    """--class-rows-only: a training step changes the class's rows of the box predictor and nothing else."""
    torch.manual_seed(0)
    with pytest.raises(ValueError, match="folded"):
        train.class_rows_only(build_model(widths=(8, 8, 8, 8, 8), fpn_channels=8, representation=16), "Platelets")
    model = build_model(widths=(8, 8, 8, 8, 8), fpn_channels=8, representation=16, folded=True)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    n = train.class_rows_only(model, "Platelets")
    assert n == 16 + 1 + 4 * 16 + 4  # one score row and four box-delta rows, with their biases
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=0.1, weight_decay=0.0)
    model.train()
    images = [torch.rand(3, 64, 64)]
    targets = [{"boxes": torch.tensor([[10.0, 10.0, 20.0, 20.0], [30.0, 30.0, 50.0, 50.0]]), "labels": torch.tensor([3, 1])}]
    for _ in range(3):
        loss = sum(model(images, targets).values())
        opt.zero_grad()
        loss.backward()
        opt.step()
    after = model.state_dict()
    changed = {k for k in after if not torch.equal(after[k], before[k])}
    assert changed <= {"roi_heads.box_predictor.cls_score.weight", "roi_heads.box_predictor.cls_score.bias",
                       "roi_heads.box_predictor.bbox_pred.weight", "roi_heads.box_predictor.bbox_pred.bias"}
    assert changed, "the platelet rows did not move"
    w0, w1 = before["roi_heads.box_predictor.cls_score.weight"], after["roi_heads.box_predictor.cls_score.weight"]
    assert torch.equal(w1[:3], w0[:3]) and not torch.equal(w1[3], w0[3])  # background, RBC, WBC kept; platelets moved
    b0, b1 = before["roi_heads.box_predictor.bbox_pred.weight"], after["roi_heads.box_predictor.bbox_pred.weight"]
    assert torch.equal(b1[:12], b0[:12])
