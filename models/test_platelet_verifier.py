"""The platelet second-look study's pieces (models/platelet_verifier.py): candidates, matching, crops."""
import numpy as np
import torch

from .platelet_verifier import CROP, PLT, Verifier, candidates, crops, match


def test_candidates_keep_platelets_above_the_floor_after_nms():
    boxes = [[10, 10, 20, 20], [11, 11, 21, 21], [50, 50, 60, 60], [70, 70, 80, 80], [90, 90, 100, 100]]
    labels = [PLT, PLT, PLT, 1, PLT]
    scores = [0.9, 0.8, 0.3, 0.99, 0.04]
    b, s = candidates(boxes, labels, scores, floor=0.05)
    assert s.tolist() == [0.9, 0.3]  # the overlapping twin is suppressed, the RBC and the box under the floor dropped
    assert b.tolist() == [[10, 10, 20, 20], [50, 50, 60, 60]]


def test_each_true_platelet_is_taken_once_by_the_best_scored_candidate():
    cand = np.array([[10, 10, 20, 20], [11, 10, 21, 20], [100, 100, 110, 110]], float)
    truth = np.array([[10, 10, 20, 20]], float)
    assert match(cand, truth).tolist() == [1, 0, 0]
    assert match(cand, np.zeros((0, 4))).tolist() == [0, 0, 0]


def test_crops_are_field_standardised_and_replicate_the_edge():
    img = torch.zeros(3, 100, 120)
    img[0, :, :60] = 1.0  # left half red
    c = crops(img, np.array([[0, 40, 10, 50], [100, 40, 110, 50]], float))
    assert c.shape == (2, 3, CROP, CROP)
    # the left crop reaches past the image's edge: replicated red, never a padding colour
    assert torch.all(c[0, 0] > 0.5) and torch.allclose(c[0, 1], c[0, 1].new_zeros(()).expand_as(c[0, 1]))
    # the field's own statistics: red is +1 spread where red is on, -1 where off
    assert abs(float(c[0, 0].mean()) - 1.0) < 1e-3 and abs(float(c[1, 0].mean()) + 1.0) < 1e-3


def test_the_verifier_reads_a_batch_of_crops_and_scalars():
    net = Verifier(width=8)
    out = net(torch.randn(4, 3, CROP, CROP), torch.randn(4, 3))
    assert out.shape == (4,)
