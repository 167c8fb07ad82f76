"""models/scale.py's square-reading step, as src/core/detection/scale.ts detectWithScale and `npm run eval` have
it: a small eyepiece field of view (a phone held back from the eyepiece) is read from its square, planned,
estimated and rescaled on its own, with a magnification fixed by hand too; an image without one, or one whose
field fills the frame, is read whole. The field logic itself is checked against the TypeScript through
models/test-vectors.json (test_mirror.py, src/core/mirror.test.ts)."""
import math

import numpy as np
import pytest
import torch

from . import mirror, scale


class CellsModel(torch.nn.Module):
    """Returns RBC boxes of `cell` model pixels on a grid over its input, and records the input sizes."""

    def __init__(self, cell=None):
        super().__init__()
        self.sizes = []
        self.cell = cell

    def forward(self, xs):
        h, w = xs[0].shape[-2:]
        self.sizes.append((w, h))
        if self.cell is None:
            boxes = [[0.0, 0.0, float(w), float(h)]]
        else:
            c = self.cell
            boxes = [[x, y, x + c, y + c] for x in np.arange(10, w - c - 10, 2 * c) for y in np.arange(10, h - c - 10, 2 * c)]
        n = len(boxes)
        return [{"boxes": torch.tensor(boxes, dtype=torch.float32), "labels": torch.ones(n, dtype=torch.int64),
                 "scores": torch.full((n,), 0.9)}]


def eyepiece(w=1600, h=1200, share=0.06, cx=900.0, cy=500.0):
    """A photo of the eyepiece held back from it: a smear-coloured disc of `share` of a black frame."""
    yy, xx = np.mgrid[0:h, 0:w]
    r = math.sqrt(share * w * h / math.pi)
    disc = (xx + 0.5 - cx) ** 2 + (yy + 0.5 - cy) ** 2 <= r * r
    cells = ((xx % 14) - 7) ** 2 + ((yy % 14) - 7) ** 2 < 25
    img = np.where(disc[..., None], np.where(cells[..., None], [190, 110, 140], [235, 205, 215]), [5, 4, 6])
    return torch.from_numpy(img.astype(np.float32) / 255).permute(2, 0, 1).contiguous()


def test_a_small_field_of_view_is_read_from_its_square():
    image = eyepiece()
    field = mirror.find_circular_field(scale.as_rgba(image))
    assert field is not None and field["cx"] == pytest.approx(900, abs=1) and field["cy"] == pytest.approx(500, abs=1)
    region = mirror.field_region(field, 1600, 1200)
    x, y, rw, rh = region
    # the square's cells, 20 model px at its plan (384 / rh), are a quarter of the reference (83): a second pass
    # on the square, held to the pixel cap (1024 x 768 pixels: 886 px a side)
    m = CellsModel(cell=20)
    b, labels, scores, info = scale.detect(m, image)
    assert info["region"] == region
    assert m.sizes[0] == mirror.size_at(rw, rh, mirror.plan_scale(rw, rh))
    assert info["passes"] == 2 and info["ratio"] == pytest.approx(20 / 83, rel=1e-6)
    s1 = math.sqrt(mirror.DEFAULT_SCALE["max_pixels"] / (rw * rh))
    assert info["scale"] == pytest.approx(s1) and m.sizes[1] == mirror.size_at(rw, rh, s1)
    # the boxes are in the frame's pixels, inside the square
    assert (b[:, 0] >= x).all() and (b[:, 2] <= x + rw + 1e-3).all() and (b[:, 1] >= y).all() and (b[:, 3] <= y + rh + 1e-3).all()


def test_a_fixed_magnification_reads_the_square_too():
    image = eyepiece()
    x, y, rw, rh = mirror.field_region(mirror.find_circular_field(scale.as_rgba(image)), 1600, 1200)
    m = CellsModel()
    b, *_, info = scale.detect(m, image, fixed_scale=2.0)
    s = mirror.fixed_scale(mirror.plan_scale(rw, rh), 2.0, rw, rh)
    assert info["region"] == (x, y, rw, rh) and info["relative"] == pytest.approx(2.0)
    assert m.sizes == [mirror.size_at(rw, rh, s)]
    assert b[0].tolist() == pytest.approx([x, y, x + rw, y + rh], abs=1e-3)


def test_no_field_a_large_one_or_no_scale_settings_read_the_whole_image():
    for image in [torch.full((3, 480, 640), 0.8), eyepiece(640, 480, share=0.45, cx=320, cy=240)]:
        m = CellsModel()
        *_, info = scale.detect(m, image)
        assert info["region"] is None and m.sizes == [(512, 384)]
    m = CellsModel()
    *_, info = scale.detect(m, eyepiece(), cfg=None)
    assert info["region"] is None and m.sizes == [(512, 384)]


def test_the_ring_is_filled_with_the_fields_mean_on_the_models_input():
    seen = []

    class Probe(CellsModel):
        def forward(self, xs):
            seen.append(xs[0].clone())
            return super().forward(xs)

    image = eyepiece(640, 480, share=0.45, cx=320, cy=240)
    scale.detect(Probe(), image)
    x = seen[0]
    c = mirror.scale_circle(mirror.find_circular_field(scale.as_rgba(image)), 512 / 640)
    inside = torch.from_numpy(mirror.field_mask(512, 384, c))
    # a corner (the black ring) takes the disc's mean colour, pinkish, not black; the disc is as it was
    assert x[:, 0, 0].tolist() == pytest.approx(x[:, inside].double().mean(dim=1).tolist(), abs=1e-5)
    assert float(x[0, 0, 0]) > 0.5
    assert torch.equal(x[:, inside], scale.resize_to(image, 0.8)[:, inside])
