"""Issue 21's training transforms: what they do to the labels."""
import random

import torch

from torchvision.ops import box_iou

from .transforms import DustSpecks, EyepieceVignette, PlateletClumps, PlateletCopyPaste, PlateletVariants


def _target():
    boxes = torch.tensor([[10., 10., 40., 40.], [60., 60., 70., 70.], [150., 150., 190., 190.], [5., 170., 35., 195.]])
    return {"boxes": boxes, "labels": torch.tensor([1, 3, 2, 1])}


def test_dust_specks_are_unlabelled_and_never_on_a_platelet_or_wbc():
    random.seed(0)
    torch.manual_seed(0)
    img = torch.full((3, 200, 200), 0.8)
    for _ in range(20):
        out, t = DustSpecks(p=1, n=(4, 4))(img.clone(), _target())
        assert torch.equal(t["boxes"], _target()["boxes"]) and torch.equal(t["labels"], _target()["labels"])
        # the platelet and the WBC are untouched; the specks are grey (no channel far from the others)
        assert torch.equal(out[:, 60:70, 60:70], img[:, 60:70, 60:70])
        assert torch.equal(out[:, 150:190, 150:190], img[:, 150:190, 150:190])
        changed = (out - img).abs().sum(0) > 1e-3
        assert changed.any()
        px = out[:, changed]
        assert float((px.max(0).values - px.min(0).values).max()) < 0.2


def test_platelet_copy_paste_adds_labelled_platelets_in_free_places():
    random.seed(1)
    img = torch.rand(3, 200, 200)
    out, t = PlateletCopyPaste(p=1, n=(2, 2))(img.clone(), _target())
    new = t["boxes"][4:]
    assert len(new) >= 1 and bool((t["labels"][4:] == 3).all())
    old = _target()["boxes"]
    for b in new:
        overlap = (old[:, 0] < b[2]) & (b[0] < old[:, 2]) & (old[:, 1] < b[3]) & (b[1] < old[:, 3])
        assert not bool(overlap.any())


def test_eyepiece_ring_darkens_outside_and_drops_cells_it_hides():
    random.seed(2)
    img = torch.full((3, 200, 200), 0.8)
    out, t = EyepieceVignette(p=1, radius=(0.3, 0.3))(img.clone(), _target())
    assert float(out[:, 0, 0].max()) < 0.15  # a corner is in the black ring
    kept = {tuple(b.tolist()) for b in t["boxes"]}
    assert (5., 170., 35., 195.) not in kept  # the corner cell is hidden
    assert len(t["boxes"]) == len(t["labels"]) < 4


def test_platelet_variants_are_labelled_by_their_visible_part_and_some_are_cut_by_the_border():
    random.seed(3)
    torch.manual_seed(3)
    img = torch.full((3, 200, 200), 0.85)
    img[:, 60:70, 60:70] = torch.tensor([0.5, 0.3, 0.7])[:, None, None]  # the platelet: purple on a pale field
    cut = 0
    for _ in range(40):
        out, t = PlateletVariants(p=1, n=(2, 2), p_edge=0.5)(img.clone(), _target())
        new, lab = t["boxes"][4:], t["labels"][4:]
        assert len(new) == len(lab) and bool((lab == 3).all())
        assert bool((new[:, 0] >= 0).all() and (new[:, 1] >= 0).all() and (new[:, 2] <= 200).all() and (new[:, 3] <= 200).all())
        assert bool(((new[:, 2] - new[:, 0]) >= 2).all() and ((new[:, 3] - new[:, 1]) >= 2).all())
        cut += int(((new[:, 0] == 0) | (new[:, 1] == 0) | (new[:, 2] == 200) | (new[:, 3] == 200)).sum())
        for b in new:  # each pasted platelet shows in its box, darker than the field
            x1, y1, x2, y2 = [int(v) for v in b]
            assert float(out[:, y1:y2, x1:x2].mean()) < 0.85 - 1e-3
        assert torch.equal(t["boxes"][:4], _target()["boxes"])
    assert cut >= 5


def test_platelet_clumps_lay_labelled_platelets_in_one_heap_off_the_white_cells():
    random.seed(4)
    torch.manual_seed(4)
    img = torch.full((3, 200, 200), 0.85)
    img[:, 60:70, 60:70] = torch.tensor([0.5, 0.3, 0.7])[:, None, None]  # the platelet: purple on a pale field
    laid = 0
    for _ in range(20):
        out, t = PlateletClumps(p=1, k=(6, 6))(img.clone(), _target())
        new, lab = t["boxes"][4:], t["labels"][4:]
        assert torch.equal(t["boxes"][:4], _target()["boxes"]) and bool((lab == 3).all())
        if len(new) < 2:
            continue
        laid += len(new)
        iou = box_iou(new, new).fill_diagonal_(0)
        assert float(iou.max()) <= 0.3 + 1e-6  # on one another, but each a platelet of its own
        c = (new[:, :2] + new[:, 2:]) / 2
        assert float((c[:, None] - c[None]).norm(dim=-1).max()) < 60  # one heap, not scattered
        wbc = _target()["boxes"][2]
        assert not bool(((new[:, 0] < wbc[2]) & (wbc[0] < new[:, 2]) & (new[:, 1] < wbc[3]) & (wbc[1] < new[:, 3])).any())
        for b in new:  # each laid platelet absorbs light in its box; the field outside the heap is untouched
            x1, y1, x2, y2 = [int(v) for v in b]
            assert float(out[:, y1:y2, x1:x2].mean()) < 0.85 - 1e-3
        assert bool(torch.isclose(out[:, 0:5, 100:200], img[:, 0:5, 100:200]).all()) or float(c[:, 1].min()) < 20
    assert laid >= 40
