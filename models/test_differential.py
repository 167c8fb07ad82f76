"""The WBC classifier's pipeline without the datasets: the exported graph's two outputs, the shared
training loop (and its stop on a non-finite loss), the crop augmentation's range, the box cache."""
import json
import random

import onnx
import pytest
import torch

from . import differential as D
from .engine import NonFiniteLoss, train_one_epoch


def _loader(x, y, n=2):
    return [(x, y)] * n


def test_embedding_output_feeds_the_head(tmp_path):
    torch.manual_seed(0)
    net = D.WbcNet().eval()
    x = torch.rand(3, 3, D.SIZE, D.SIZE) * 1.5
    logits, emb = D.WithEmbedding(net)(x)
    assert emb.shape == (3, net.head.in_features)
    assert torch.allclose(logits, net(x), atol=1e-6)
    assert torch.allclose(logits, net.head(emb), atol=1e-6)
    D.export(net, tmp_path / "wbc.onnx")
    g = onnx.load(str(tmp_path / "wbc.onnx")).graph
    assert [o.name for o in g.output] == ["logits", "embedding"]


def test_training_loop_learns_and_stops_on_nan():
    torch.manual_seed(0)
    net = D.WbcNet()
    opt = torch.optim.AdamW(net.parameters(), lr=3e-3)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 1.0)
    x = torch.rand(8, 3, D.SIZE, D.SIZE)
    y = torch.arange(8) % len(D.TYPES)
    first, _ = train_one_epoch(net, opt, sched, _loader(x, y, 1), 0, 1, log=lambda m: None,
                               losses_fn=D.classifier_losses)
    for _ in range(5):
        last, _ = train_one_epoch(net, opt, sched, _loader(x, y, 4), 0, 1, log=lambda m: None,
                                  losses_fn=D.classifier_losses)
    assert last["loss"] < first["loss"]
    bad = x.clone()
    bad[0, 0, 0, 0] = float("nan")
    with pytest.raises(NonFiniteLoss):
        train_one_epoch(net, opt, sched, _loader(bad, y, 1), 0, 1, log=lambda m: None,
                        losses_fn=D.classifier_losses)


def test_head_only_training_changes_the_last_layer_alone():
    torch.manual_seed(0)
    net = D.WbcNet()
    before = {k: v.clone() for k, v in net.state_dict().items()}
    losses = D.head_only(net, D.classifier_losses)
    opt = torch.optim.AdamW([q for q in net.parameters() if q.requires_grad], lr=1e-2)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 1.0)
    x = torch.rand(8, 3, D.SIZE, D.SIZE)
    y = torch.arange(8) % len(D.TYPES)
    train_one_epoch(net, opt, sched, _loader(x, y, 3), 0, 1, log=lambda m: None, losses_fn=losses)
    after = net.state_dict()
    for k, v in before.items():
        if k.startswith("features."):  # weights and BatchNorm running statistics alike
            assert torch.equal(v, after[k]), k
    assert not torch.equal(before["head.weight"], after["head.weight"])


@pytest.mark.parametrize("colour", ["cast", "mild"])
def test_stain_augmentation_stays_in_range(colour):
    torch.manual_seed(1)
    for _ in range(20):
        out = D.stain(torch.rand(3, D.SIZE, D.SIZE), colour)
        assert out.shape == (3, D.SIZE, D.SIZE)
        assert float(out.min()) >= 0 and float(out.max()) <= 1 and torch.isfinite(out).all()


def test_box_cache_is_kept_and_rebuilt_only_when_asked(tmp_path, monkeypatch):
    sha = json.loads((D.HERE / "smearcount-frcnn.json").read_text())["sha256"]
    cache = tmp_path / "boxes.json"
    cache.write_text(json.dumps({"detector": {"sha256": sha}, "boxes": {"pbc-wbc/neutrophil/a.jpg": [1, 2, 3, 4]}}))
    assert D.find_pbc_boxes(tmp_path, cache, log=lambda m: None) == {"pbc-wbc/neutrophil/a.jpg": [1, 2, 3, 4]}
    # another detector's boxes are kept by default (a run is reproducible from the committed file) ...
    cache.write_text(json.dumps({"detector": {"sha256": "0" * 64}, "boxes": {"pbc-wbc/neutrophil/c.jpg": [0, 0, 1, 1]}}))
    assert D.find_pbc_boxes(tmp_path, cache, log=lambda m: None) == {"pbc-wbc/neutrophil/c.jpg": [0, 0, 1, 1]}
    # ... and rebuilt with --rebuild-boxes: here the eval CLI is replaced by one that records its call
    calls = []

    def fake_run(cmd, **kw):
        calls.append(cmd)
        out = cmd[cmd.index("--boxes") + 1]
        with open(out, "w") as f:
            json.dump({"detector": {"sha256": sha}, "boxes": {"lymphocyte/b.jpg": [5, 6, 7, 8]}}, f)

    monkeypatch.setattr("subprocess.run", fake_run)
    assert D.find_pbc_boxes(tmp_path, cache, log=lambda m: None, rebuild=True) == {"pbc-wbc/lymphocyte/b.jpg": [5, 6, 7, 8]}
    assert calls and calls[0][:4] == ["npx", "tsx", "scripts/eval.ts", str(tmp_path / "pbc-wbc")]
    assert json.loads(cache.read_text())["detector"]["sha256"] == sha


def _spread(img):
    """The standard deviation, in pixels, of one channel's intensity around its centre of mass along x."""
    w = img[0].sum(dim=0)
    xs = torch.arange(w.numel(), dtype=torch.float32)
    m = (w * xs).sum() / w.sum()
    return float(((w * (xs - m) ** 2).sum() / w.sum()).sqrt())


def test_unseen_camera_blur_is_relative_to_the_cell():
    # camera 1's defocus is sigma 2.4 px of the 64-px crop; a whole single-cell image passes its crop's side
    x = torch.zeros(3, 181, 181)
    x[:, 90, 90] = 1.0
    whole = D.unseen_camera(x, 1)  # the image's side: the harsher sets built before 2026-12-04
    cell = D.unseen_camera(x, 1, side=91.0)  # a 65-px cell's crop (1.4x)
    assert abs(_spread(cell) - 2.4 * 91 / 64) < 0.1
    assert abs(_spread(whole) - 2.4 * 181 / 64) < 0.15
    crop = torch.zeros(3, D.SIZE, D.SIZE)
    crop[:, 32, 32] = 1.0
    assert abs(_spread(D.unseen_camera(crop, 1)) - 2.4) < 0.1  # a crop: unchanged
    # cameras 0 and 2 do not blur with the cell, so side changes nothing there
    y = torch.rand(3, 64, 64)
    assert torch.equal(D.unseen_camera(y, 0), D.unseen_camera(y, 0, side=30.0))


def test_defocus_range_follows_the_option():
    assert D.Crops([], True, "cast").defocus == 1.2
    assert D.Crops([], True, "wide").defocus == 2.0
    assert D.Crops([], True, "cast", defocus=3.0).defocus == 3.0


def test_blur_pair_gives_a_softer_twin_with_the_same_geometry_and_a_finite_consistency_loss(tmp_path):
    from torchvision.io import write_png
    img = torch.zeros(3, 120, 120, dtype=torch.uint8)
    img[:, 40:80, 50:70] = 200  # a bright bar: rotations and flips move it, blur softens its edges
    write_png(img, str(tmp_path / "c.png"))
    items = [{"image": tmp_path / "c.png", "box": [30, 30, 90, 90], "type": 2, "source": "pbc"}]
    ds = D.Crops(items, True, "cast", blur_pair=3.0)
    # the crops draw from Python's random as well as torch's: seed both, or the run differs from CI's
    torch.manual_seed(0)
    random.seed(0)

    def edge(v):
        # the steepest step of the bar's profile (the grey level averaged along each axis): the pixel
        # noise finish() adds, up to 0.03 a pixel, averages out there, where a single pixel's step
        # could be noise (a CI run once failed on that)
        g = v.mean(0)
        a, b = g.mean(0), g.mean(1)
        return max((a[1:] - a[:-1]).abs().max(), (b[1:] - b[:-1]).abs().max())
    for _ in range(20):
        x, xb, y = ds[0]
        assert x.shape == xb.shape == (3, D.SIZE, D.SIZE) and y == 2
        # the twin is the softer one. The crop itself may already be defocused and downsampled, so the
        # extra blur softens it less than a sharp crop: over 4,000 draws the worst ratio was 0.953
        assert edge(xb) < 0.97 * edge(x)
        # same rotation and flip: the bright bar sits in the same place in both
        a, b = x.mean(0) > x.mean(), xb.mean(0) > xb.mean()
        assert (a & b).sum() / (a | b).sum() > 0.5
    assert len(D.Crops(items, False, "cast", blur_pair=3.0)[0]) == 2  # evaluation crops come alone
    torch.manual_seed(0)
    net = D.WbcNet()
    batch = (torch.rand(4, 3, D.SIZE, D.SIZE), torch.rand(4, 3, D.SIZE, D.SIZE), torch.arange(4))
    out = D.blur_pair_losses(4.0)(net, batch, "cpu")
    assert set(out) == {"loss_ce", "loss_js"} and all(torch.isfinite(v) and v >= 0 for v in out.values())
    same = D.blur_pair_losses(4.0)(net.eval(), (batch[0], batch[0], batch[2]), "cpu")
    assert same["loss_js"].item() < 1e-6  # identical views agree


def test_framing_option_gives_other_microscopes_framings_with_any_recipe(tmp_path, monkeypatch):
    # --framing: cut_by_border for the cast recipe too (before 2026-12-05 only "wide" had it)
    assert D.Crops([], True, "cast").framing is False
    assert D.Crops([], True, "cast", framing=True).framing is True
    assert D.Crops([], True, "wide").framing is True
    from torchvision.io import write_png
    write_png(torch.full((3, 120, 120), 128, dtype=torch.uint8), str(tmp_path / "c.png"))
    items = [{"image": tmp_path / "c.png", "box": [30, 30, 90, 90], "type": 1, "source": "pbc"}]
    calls = []
    monkeypatch.setattr(D, "cut_by_border", lambda img, box: calls.append(box) or (img, box))
    D.Crops(items, True, "cast")[0]
    assert calls == []
    D.Crops(items, True, "cast", framing=True)[0]
    assert len(calls) == 1
    D.Crops(items, False, "cast", framing=True)[0]  # never at evaluation
    assert len(calls) == 1


def test_tight_framing_fills_the_image_with_the_cell(tmp_path):
    from models.make_framed_cells import frame_cell
    x = torch.zeros(3, 180, 180)
    x[:, 60:120, 70:130] = 1.0  # the cell: 60 x 60 at (70, 60)
    y = frame_cell(x, [70, 60, 130, 120], factor=1.1, size=120)
    assert y.shape == (3, 120, 120)
    # 1.1 x the box: the cell spans 120 / 1.1 = 109 px of the 120, centred
    row = y[0, 60]
    lit = (row > 0.5).nonzero().flatten()
    assert 105 <= lit.numel() <= 112 and abs((lit[0] + lit[-1]) / 2 - 59.5) <= 1.5
    # a box at the image's edge: the square passes it, the edge replicated (no black frame)
    z = frame_cell(torch.ones(3, 100, 100), [0, 0, 90, 90], factor=1.1, size=120)
    assert z.min() > 0.99
