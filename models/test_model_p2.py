"""The optional stride-4 level (`--p2`, issue 21: small-object capacity for platelets): the RoI pooling reads it,
the RPN does not, and a shipped detector without it still loads into a model with it."""
from pathlib import Path

import pytest
import torch

from .model import build_model, load_onnx_weights

SHIPPED = Path(__file__).parent / "smearcount-frcnn.onnx"


def test_p2_feeds_the_roi_pooling_not_the_rpn():
    torch.manual_seed(0)
    plain, p2 = build_model(), build_model(p2=True)
    assert plain.roi_heads.box_roi_pool.featmap_names == ["p3", "p4", "p5"]
    assert p2.roi_heads.box_roi_pool.featmap_names == ["p2", "p3", "p4", "p5"]
    x = torch.rand(1, 3, 96, 128)
    feats = p2.backbone(x)
    assert list(feats) == ["p2", "p3", "p4", "p5"]
    assert feats["p2"].shape[-2:] == (24, 32)  # stride 4
    # the RPN's anchors are for three levels; it proposes from p3-p5 alone, as without p2
    p2.eval()
    with torch.no_grad():
        images, _ = p2.transform([x[0]])
        props, _ = p2.rpn(images, feats)
    assert props[0].shape[1] == 4 and len(props[0]) > 0
    # the same input through a model without the level: the RPN sees the same three feature maps
    assert [k for k in feats if k != "p2"] == list(plain.backbone(x))


@pytest.mark.skipif(not SHIPPED.is_file(), reason="needs the shipped detector")
def test_a_shipped_detector_loads_into_a_p2_model_and_only_the_new_level_is_fresh():
    m = build_model(min_size=384, max_size=512, folded=True, p2=True)
    fresh = {k: v.clone() for k, v in m.state_dict().items() if k.startswith("backbone.p2_")}
    load_onnx_weights(m, SHIPPED)
    after = m.state_dict()
    assert fresh and all(torch.equal(after[k], v) for k, v in fresh.items())
    # everything else is the shipped model's: the same backbone output at p3 as the model without p2
    plain = load_onnx_weights(build_model(min_size=384, max_size=512, folded=True), SHIPPED)
    x = torch.rand(1, 3, 64, 64)
    with torch.no_grad():
        assert torch.allclose(m.eval().backbone(x)["p3"], plain.eval().backbone(x)["p3"])
    m.eval()
    with torch.no_grad():
        out = m([torch.rand(3, 96, 128)])
    assert set(out[0]) == {"boxes", "labels", "scores"}
