"""The WBC ensemble: its probabilities are the mean of its members', its embedding their side-by-side
embeddings, and members that crop or split differently are refused."""
import json

import pytest
import torch
import torch.nn.functional as F

from . import differential as D
from .wbc_ensemble import WbcEnsemble, build


def nets(n, seed=0):
    torch.manual_seed(seed)
    out = [D.WbcNet() for _ in range(n)]
    for m in out:
        m.eval()
    return out


def test_probabilities_are_the_members_mean_and_embeddings_sit_side_by_side():
    members = nets(3)
    ens = WbcEnsemble(members).eval()
    x = torch.rand(5, 3, D.SIZE, D.SIZE) * 1.5
    with torch.no_grad():
        want = torch.stack([F.softmax(m(x), dim=1) for m in members]).mean(0)
        got = F.softmax(ens(x), dim=1)
        emb = ens.embed(x)
    assert torch.allclose(got, want, atol=1e-5)
    assert emb.shape == (5, 3 * members[0].head.in_features)
    k = members[0].head.in_features
    with torch.no_grad():
        assert torch.allclose(emb[:, k:2 * k], members[1].embed(x))
    assert ens.head.in_features == 3 * k


def test_one_member_is_that_member():
    (m,) = nets(1, seed=3)
    x = torch.rand(4, 3, D.SIZE, D.SIZE)
    with torch.no_grad():
        assert torch.allclose(F.softmax(WbcEnsemble([m]).eval()(x), dim=1), F.softmax(m(x), dim=1), atol=1e-6)


def save_run(root, name, net, **args):
    a = {"epochs": 1, "input_norm": "crop", "norm": "bn", "mixstyle": 0.0, "colour": "wide", "seed": 1,
         "split_seed": 42, "no_cbc": False, "no_pbc": False, **args}
    (root / name / "smearcount-wbc").mkdir(parents=True)
    torch.save({"model": net.state_dict(), "epoch": 0, "args": a}, root / name / "smearcount-wbc" / "checkpoint.pth")
    (root / name / "smearcount-wbc.json").write_text(json.dumps({"sha256": name, "training": {}, "metrics": {}}))
    return root / name


def test_members_must_share_the_crop_rule_and_the_split(tmp_path):
    a, b = nets(2)
    r1 = save_run(tmp_path, "a", a)
    r2 = save_run(tmp_path, "b", b, seed=2)
    ens, members, split_seed = build([r1, r2])
    assert len(ens.nets) == 2 and split_seed == 42
    # a cast-recipe member cropped with the edge pad joins; one with the grey pad does not
    assert len(build([r1, save_run(tmp_path, "c", a, colour="cast", pad="edge")])[0].nets) == 2
    with pytest.raises(SystemExit, match="crop differently"):
        build([r1, save_run(tmp_path, "d", a, colour="cast")])
    with pytest.raises(SystemExit, match="split differently"):
        build([r1, save_run(tmp_path, "e", b, split_seed=7)])
    with pytest.raises(SystemExit, match="left a microscope out"):
        build([r1, save_run(tmp_path, "f", b, no_cbc=True)])


def test_a_shipped_graph_reads_back_as_the_net_it_was_exported_from(tmp_path):
    """net_from_onnx: the export folds BatchNorm into the convs and stores int8 weights per channel; read
    back, the net gives the original's probabilities to within that rounding."""
    from .wbc_ensemble import net_from_onnx
    (net,) = nets(1, seed=5)
    # BatchNorm statistics that are not the identity, so the fold is exercised
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 2.0)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.1, 0.1)
    D.export(net, tmp_path / "wbc.onnx")
    back = net_from_onnx(tmp_path / "wbc.onnx")
    x = torch.rand(8, 3, D.SIZE, D.SIZE) * 1.5
    with torch.no_grad():
        p, q = F.softmax(net(x), dim=1), F.softmax(back(x), dim=1)
        e, f = net.embed(x), back.embed(x)
    assert (p - q).abs().max() < 2e-3
    assert ((e - f).abs().max() / e.abs().max()) < 0.01
    assert not net.training  # export leaves the net as it found it


def test_distillation_pulls_the_student_to_the_teacher_and_is_zero_when_they_agree():
    import copy
    (teacher,) = nets(1, seed=7)
    student = copy.deepcopy(teacher)
    x, y = torch.rand(6, 3, D.SIZE, D.SIZE), torch.randint(0, len(D.TYPES), (6,))
    losses = D.distillation_losses(teacher)
    student.eval()
    assert losses(student, (x, y), "cpu")["loss_kd"].item() < 1e-6
    (other,) = nets(1, seed=8)
    other.eval()
    kd = losses(other, (x, y), "cpu")["loss_kd"]
    assert kd.item() > 1e-4
    kd.backward()
    assert other.head.weight.grad.abs().sum() > 0 and teacher.head.weight.grad is None


def test_a_larger_input_and_other_widths_read_back_and_do_not_mix_with_64px_members(tmp_path):
    """--size and --widths (issue 21's resolution trial): the graph takes the run's crop size, net_from_onnx
    finds the widths in the graph, and an ensemble refuses members whose crops differ in size."""
    import onnx
    from .wbc_ensemble import net_from_onnx
    torch.manual_seed(9)
    net = D.WbcNet(widths=(8, 16, 24, 40)).eval()
    D.export(net, tmp_path / "wbc96.onnx", size=96)
    dims = onnx.load(str(tmp_path / "wbc96.onnx")).graph.input[0].type.tensor_type.shape.dim
    assert [d.dim_value for d in dims[1:]] == [3, 96, 96]
    back = net_from_onnx(tmp_path / "wbc96.onnx")
    assert [m.out_channels for m in back.features if isinstance(m, torch.nn.Conv2d)][1::2] == [8, 16, 24, 40]
    x = torch.rand(3, 3, 96, 96) * 1.5
    with torch.no_grad():
        assert (F.softmax(net(x), dim=1) - F.softmax(back(x), dim=1)).abs().max() < 2e-3
    a, b = nets(2)
    big = D.WbcNet(widths=(8, 16, 24, 40))
    r1 = save_run(tmp_path, "a", a)
    r2 = save_run(tmp_path, "big", big, size=96, widths=[8, 16, 24, 40])
    assert build([r2])[0].nets[0].head.in_features == 40
    with pytest.raises(SystemExit, match="crop differently"):
        build([r1, r2])


def test_symmetric_views_read_a_cell_the_same_whichever_way_up_it_lies(tmp_path):
    from .wbc_ensemble import Symmetric
    ens = WbcEnsemble(nets(2, seed=5)).eval()
    sym8, sym4 = Symmetric(ens, 8).eval(), Symmetric(ens, 4).eval()
    x = torch.rand(3, 3, D.SIZE, D.SIZE)
    with torch.no_grad():
        # the 8 views are the square's whole symmetry group: any turn or flip of the crop reads the same
        for y in (x.flip(3), x.flip(2), torch.rot90(x, 1, (2, 3)), x.transpose(2, 3)):
            assert torch.allclose(sym8(y), sym8(x), atol=1e-5)
        # each view is the crop turned or flipped, and the embedding their mean
        want = torch.stack([ens.embed(v) for v in (x, x.flip(3), x.flip(2), x.transpose(2, 3))]).mean(0)
        assert torch.allclose(sym4.embed(x), want, atol=1e-6)
    # it exports with the same contract, for any number of crops (flips are gathers of a constant index)
    path = tmp_path / "sym.onnx"
    D.export(sym4, path)
    import onnx
    g = onnx.load(str(path)).graph
    assert [o.name for o in g.output] == ["logits", "embedding"] and any(n.op_type == "Gather" for n in g.node)


def test_the_pad_at_inference_can_differ_from_training_and_the_card_says_so(tmp_path, monkeypatch):
    """--pad edge on members trained with the grey pad: the card's crop pads with the edge, says the members
    trained otherwise, and the card's figures are measured with the edge pad."""
    import argparse
    from . import wbc_ensemble as W
    a, b = nets(2)
    crop = {"factor": 1.4, "size": D.SIZE, "pad": D.PAD, "percentile": 0.95, "clip": 1.5}
    r1, r2 = (save_run(tmp_path, n, m, colour="cast") for n, m in (("a", a), ("b", b)))
    for r in (r1, r2):
        (r / "smearcount-wbc.json").write_text(json.dumps({"sha256": r.name, "training": {}, "metrics": {}, "crop": crop,
                                                            "input": {}, "classes": []}))
    seen = []
    monkeypatch.setattr(W, "evaluate", lambda model, split_seed, colour, data, pad=None, **k: seen.append(pad) or {})
    monkeypatch.setattr(W.D, "export", lambda model, path, size: path.write_bytes(b"onnx"))
    args = argparse.Namespace(runs=[r1, r2], data=str(tmp_path), name="x", out_dir=str(tmp_path / "out"), threads=1,
                              restore=False, views=1, restore_chosen=None, pad="edge", pad_chosen="on validation")
    card = W.main(args)
    assert seen == ["edge"]
    assert card["crop"]["pad"] == "edge"
    assert "trained with pad 0.5" in card["crop"]["pad_note"] and "on validation" in card["crop"]["pad_note"]
    # without --pad the members' own rule stands, with no note
    card = W.main(argparse.Namespace(**{**vars(args), "pad": None}))
    assert seen == ["edge", None] and card["crop"]["pad"] == D.PAD and "pad_note" not in card["crop"]
