"""models/soup.py: the straight line between two detectors' weights."""
import pytest
import torch

from .soup import interpolate


def states():
    base = {"w": torch.tensor([0.0, 2.0]), "b": torch.tensor([1.0]), "n": torch.tensor(3, dtype=torch.int64)}
    tuned = {"w": torch.tensor([4.0, -2.0]), "b": torch.tensor([3.0]), "n": torch.tensor(7, dtype=torch.int64)}
    return base, tuned


def test_ends_and_middle():
    base, tuned = states()
    assert torch.equal(interpolate(base, tuned, 0.0)["w"], base["w"])
    assert torch.equal(interpolate(base, tuned, 1.0)["w"], tuned["w"])
    mid = interpolate(base, tuned, 0.5)
    assert torch.allclose(mid["w"], torch.tensor([2.0, 0.0]))
    assert torch.allclose(mid["b"], torch.tensor([2.0]))
    # counters are not weights: they come from the fine-tune unchanged
    assert mid["n"].item() == 7 and mid["n"].dtype == torch.int64


def test_refuses_another_architecture():
    base, tuned = states()
    with pytest.raises(ValueError, match="keys differ"):
        interpolate({**base, "extra": torch.zeros(1)}, tuned, 0.5)
    with pytest.raises(ValueError, match="shape"):
        interpolate({**base, "w": torch.zeros(3)}, tuned, 0.5)
