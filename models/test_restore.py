"""models/restore.py: the app's restoration of soft WBC crops, as training sees it (the TypeScript is checked
against the same code by src/core/mirror.test.ts through models/test-vectors.json)."""
import numpy as np
import torch
from scipy.ndimage import gaussian_filter

from . import differential as D
from .restore import DEFAULT, blur_sigma, restore_card, restore_crop


def cell(size=64, grain=0.0, blur=0.0, seed=0):
    yy, xx = np.mgrid[0:size, 0:size]
    d = np.hypot(yy - size / 2, xx - size / 2.2)
    r = size * 0.28
    chw = np.stack([0.9 - 0.5 * (d < r) - 0.2 * (d < r / 2), 0.85 - 0.6 * (d < r), 0.8 - 0.3 * (d < r)])
    chw += 0.08 * (((xx // 3 + yy // 3) % 2) * (d < r / 2))  # chromatin texture for the blur to remove
    if blur:
        chw = gaussian_filter(chw, (0, blur, blur), mode="nearest")
    if grain:
        chw = chw + np.random.default_rng(seed).normal(0, grain, chw.shape)
    return np.clip(chw, 0, 1).astype(np.float32)


def test_a_sharp_crop_is_returned_unchanged():
    x = cell(grain=2 / 255)
    out, sigma, done = restore_crop(x)
    assert not done and sigma < DEFAULT["sigma"] and out is x


def test_the_blur_estimate_reads_a_defocus_under_grain():
    for grain in (0, 2 / 255, 4 / 255):
        assert 2.4 < blur_sigma(cell(blur=3.2, grain=grain)) < 4.0


def test_a_soft_crop_comes_back_closer_to_the_sharp_one():
    sharp = cell()
    for grain in (0, 2 / 255):
        soft = cell(blur=3.2, grain=grain)
        out, sigma, done = restore_crop(soft)
        assert done and out.dtype == np.float32 and out.min() >= 0 and out.max() <= 1
        assert np.abs(out - sharp).mean() < 0.9 * np.abs(soft - sharp).mean()


def test_training_crops_go_through_the_same_restoration(tmp_path):
    from torchvision.io import write_png
    img = torch.from_numpy(cell(size=96, blur=4.5))
    path = tmp_path / "soft.png"
    write_png((img * 255).round().to(torch.uint8), str(path))
    item = {"image": path, "box": [20, 20, 76, 76], "type": 3}
    plain, _ = D.Crops([item], train=False)[0]
    restored, t = D.Crops([item], train=False, restore=dict(DEFAULT))[0]
    raw = D.crop_raw(D.read_image(str(path), D.ImageReadMode.RGB).float() / 255, item["box"])
    want = D.normalise(torch.from_numpy(restore_crop(raw.numpy().astype(np.float32))[0].copy()))
    assert t == 3 and torch.allclose(restored, want) and not torch.allclose(restored, plain)
    card = restore_card()
    assert {k: card[k] for k in DEFAULT} == DEFAULT and "rule" in card
