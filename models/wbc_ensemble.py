"""A WBC classifier made of several trained classifiers (issue 21): the types' probabilities are the mean
of the members' softmax, and the embedding the app adapts on is the members' embeddings side by side.
It exports to one ONNX graph with the same contract as a single classifier (`crops` in; `logits`, whose
softmax is the mean probability, and `embedding` out), so the app, `npm run eval` and the adaptation
need no change beyond reading the card.

Members may differ in recipe (the shipped one pairs the 40-epoch classifier with one trained on a wider
defocus), but every member must share the crop rule (the recipe's pad) and the data split (`split_seed`), so that the
held-out PBC test cells and the CBC validation cells are held out for all of them:

    /usr/bin/python3 -m models.wbc_ensemble RUN_DIR [RUN_DIR ...] [--out-dir models] [--name smearcount-wbc]

where each RUN_DIR holds a `models.differential` run: `<name>/checkpoint.pth` and its card `<name>.json`;
a member may also be a classifier's ONNX file with its card beside it (the shipped one has no checkpoint
here): `net_from_onnx` reads its weights back.
"""
import argparse
import datetime
import json
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from . import differential as D
from .export import file_facts
from .restore import DEFAULT as RESTORE, restore_card


class EnsembleHead(nn.Module):
    """Reads the side-by-side embedding: each member's head on its own slice; log of the mean softmax."""

    def __init__(self, heads):
        super().__init__()
        self.heads = nn.ModuleList(heads)
        self.in_features = sum(h.in_features for h in heads)

    def forward(self, e):
        parts = torch.split(e, [h.in_features for h in self.heads], dim=1)
        p = torch.stack([F.softmax(h(x), dim=1) for h, x in zip(self.heads, parts)]).mean(0)
        return torch.log(p.clamp_min(1e-7))


class WbcEnsemble(nn.Module):
    """The members' nets; `embed` and `head` as in `WbcNet`, so `differential.metrics` and `export` apply."""

    def __init__(self, nets):
        super().__init__()
        self.nets = nn.ModuleList(nets)
        self.head = EnsembleHead([n.head for n in nets])

    def embed(self, x):
        return torch.cat([n.embed(x) for n in self.nets], dim=1)

    def forward(self, x):
        return self.head(self.embed(x))


class Symmetric(nn.Module):
    """A classifier read over the crop's symmetries (test-time augmentation in the graph): the embedding is
    the mean of the embeddings of the crop, its mirror images and its transpose (`views` of the 8 turns and
    flips of a square), so the head reads a cell the same whichever way up it lies. A cell has no up; the
    crop's per-crop standardisation is the same for every view. The app, the eval and the adaptation see
    one graph with the same contract."""

    VIEWS = {4: ("id", "flip_w", "flip_h", "transpose"),
             8: ("id", "flip_w", "flip_h", "flip_hw", "transpose", "transpose_flip_w", "transpose_flip_h",
                 "transpose_flip_hw")}

    def __init__(self, net, views=4, size=D.SIZE):
        super().__init__()
        self.net, self.head, self.views = net, net.head, self.VIEWS[views]
        # flips as gathers of a constant index (ONNX Gather): opset 11 has no flip; the crop is size x size
        self.register_buffer("reverse", torch.arange(size - 1, -1, -1), persistent=False)

    def view(self, x, name):
        def rev(v, dim):
            return v.index_select(dim, self.reverse)
        if name.startswith("transpose"):
            x = x.transpose(2, 3)
        if name.endswith("flip_w") or name.endswith("flip_hw"):
            x = rev(x, 3)
        if name.endswith("flip_h") or name.endswith("flip_hw"):
            x = rev(x, 2)
        return x

    def embed(self, x):
        return torch.stack([self.net.embed(self.view(x, v)) for v in self.views]).mean(0)

    def forward(self, x):
        return self.head(self.embed(x))


def _constant(name, init, producers):
    """The value of a constant tensor: an initializer, or the int8 weights' Cast and Mul by their scale."""
    if name in init:
        return init[name]
    node = producers[name]
    if node.op_type == "Identity":  # the exporter shares equal initialisers through Identity
        return _constant(node.input[0], init, producers)
    if node.op_type == "Cast":
        return _constant(node.input[0], init, producers).astype(np.float32)
    if node.op_type == "Mul":
        return _constant(node.input[0], init, producers) * _constant(node.input[1], init, producers)
    raise ValueError(f"{name}: made by {node.op_type}, not a stored weight")


def net_from_onnx(path, input_norm="crop"):
    """A shipped classifier's graph back as a `WbcNet` (no checkpoint needed): the export folded each
    BatchNorm into its conv, so the conv gets the folded weights and the BatchNorm after it becomes the
    identity plus the folded bias. The result computes what the graph computes (up to float rounding)."""
    import onnx
    from onnx import numpy_helper
    g = onnx.load(str(path)).graph
    init = {i.name: numpy_helper.to_array(i) for i in g.initializer}
    producers = {o: n for n in g.node for o in n.output}
    convs = [n for n in g.node if n.op_type == "Conv"]
    (gemm,) = [n for n in g.node if n.op_type == "Gemm"]
    # each stage is two convolutions; the stage's width is its convolutions' output channels
    widths = tuple(int(_constant(n.input[1], init, producers).shape[0]) for n in convs[1::2])
    net = D.WbcNet(widths=widths, input_norm=input_norm)
    pairs = [(m, net.features[i + 1]) for i, m in enumerate(net.features) if isinstance(m, nn.Conv2d)]
    if len(convs) != len(pairs):
        raise ValueError(f"{path}: {len(convs)} convolutions, WbcNet has {len(pairs)} (another architecture?)")
    with torch.no_grad():
        for node, (conv, bn) in zip(convs, pairs):
            conv.weight.copy_(torch.from_numpy(_constant(node.input[1], init, producers)))
            bn.weight.fill_(1.0)
            bn.bias.copy_(torch.from_numpy(_constant(node.input[2], init, producers)))
            bn.running_mean.zero_()
            bn.running_var.fill_(1.0 - bn.eps)
        w = _constant(gemm.input[1], init, producers)
        trans_b = next((a.i for a in gemm.attribute if a.name == "transB"), 0)
        net.head.weight.copy_(torch.from_numpy(w if trans_b else w.T))
        net.head.bias.copy_(torch.from_numpy(_constant(gemm.input[2], init, producers)))
    return net.eval()


def load_member(run_dir, name="smearcount-wbc"):
    """A `models.differential` run folder, or a classifier's .onnx with its card beside it (the shipped one)."""
    run_dir = Path(run_dir)
    if run_dir.suffix == ".onnx":
        card = json.loads(run_dir.with_suffix(".json").read_text())
        fixed = "0.75" in card["input"]["normalisation"]
        net = net_from_onnx(run_dir, "fixed" if fixed else "crop")
        pad = card["crop"].get("pad", D.PAD)
        left = set(card.get("training", {}).get("left_out", []))
        a = {"colour": "cast", "pad": "edge" if pad == "edge" else "grey", "size": int(card["crop"]["size"]),
             "split_seed": card.get("training", {}).get("split_seed", 42),
             "no_cbc": "cbc" in left, "no_pbc": "pbc" in left}
        return net, a, card
    ckpt = torch.load(run_dir / name / "checkpoint.pth", map_location="cpu")
    a = ckpt["args"]
    if ckpt["epoch"] + 1 != a["epochs"]:
        raise SystemExit(f"{run_dir}: the run stopped at epoch {ckpt['epoch'] + 1} of {a['epochs']} (resume it first)")
    net = D.WbcNet(widths=tuple(a.get("widths", D.WIDTHS)), input_norm=a["input_norm"], norm=a["norm"],
                   mixstyle=a["mixstyle"])
    net.load_state_dict(ckpt["model"])
    net.eval()
    card = json.loads((run_dir / f"{name}.json").read_text())
    return net, a, card


def build(run_dirs):
    members = [load_member(r) for r in run_dirs]
    pads = {json.dumps(D.pad_for(a["colour"], a.get("pad"))) for _, a, _ in members}
    splits = {a["split_seed"] if "split_seed" in a else a["seed"] for _, a, _ in members}
    sizes = {a.get("size", D.SIZE) for _, a, _ in members}
    if len(pads) != 1 or len(sizes) != 1:
        raise SystemExit(f"the members crop differently (pads {sorted(pads)}, sizes {sorted(sizes)}): "
                         "one graph has one crop rule")
    if len(splits) != 1:
        raise SystemExit(f"the members were split differently (seeds {sorted(splits)}): their test cells differ")
    if any(a["no_cbc"] or a["no_pbc"] for _, a, _ in members):
        raise SystemExit("a member left a microscope out: an ensemble for the app is trained on both")
    return WbcEnsemble([n for n, _, _ in members]), members, splits.pop()


def evaluate(model, split_seed, colour, data, pad=None, log=print, size=D.SIZE, restore=None):
    return D.card_sets(model, D.split(D.load_items(data, log), split_seed), colour, pad, log, size=size,
                       restore=restore)


def member_restore(members):
    """The crop.restore the pair is measured and shipped with: the one a member trained with, if any."""
    found = [c["crop"]["restore"] for _, _, c in members if c.get("crop", {}).get("restore")]
    keys = list(RESTORE)
    if len({tuple(r[k] for k in keys) for r in found}) > 1:
        raise SystemExit("the members were trained with different restorations: one graph has one crop rule")
    return {k: found[0][k] for k in keys} if found else None


def main(args):
    torch.set_num_threads(args.threads)
    model, members, split_seed = build(args.runs)
    if args.views > 1:
        model = Symmetric(model, args.views, members[0][1].get("size", D.SIZE))
    colour, pad, size = members[0][1]["colour"], members[0][1].get("pad"), members[0][1].get("size", D.SIZE)
    trained_pad = D.pad_for(colour, pad)
    if args.pad:  # the crop's pad at inference, where it differs from the members' training (measured first)
        pad = args.pad
    restore = member_restore(members) or (dict(RESTORE) if args.restore else None)
    res = evaluate(model, split_seed, colour, args.data, pad, size=size, restore=restore)
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    onnx_path = out / f"{args.name}.onnx"
    D.export(model, onnx_path, size)
    card = dict(members[0][2])
    card["crop"] = {k: v for k, v in card["crop"].items() if k not in ("restore", "pad_note")}
    card["crop"]["pad"] = D.pad_for(colour, pad)
    if card["crop"]["pad"] != trained_pad:
        card["crop"]["pad_note"] = (f"the members were trained with pad {trained_pad!r}; the crop is padded {card['crop']['pad']!r} "
                                    "at inference" + (f" ({args.pad_chosen})" if args.pad_chosen else ""))
    if restore:
        card["crop"]["restore"] = restore_card(restore, args.restore_chosen)
    card.update({"name": args.name, **file_facts(onnx_path),
                 "task": "WBC type of one detected white cell",
                 "parameters": sum(p.numel() for p in model.parameters()),
                 "output": {"name": "logits", "shape": ["N", len(D.TYPES)],
                            "note": f"softmax gives the type probabilities: the mean of {len(members)} classifiers' "
                                    "softmax (the graph returns its log)"},
                 "embedding": {"name": "embedding", "shape": ["N", model.head.in_features],
                               "note": f"the {len(members)} classifiers' pooled features side by side (each "
                                       "member's last layer reads its own slice)"
                                       + (f", each the mean over {args.views} views of the crop (its mirror images "
                                          "and transpose)" if args.views > 1 else "")
                                       + ": for on-device adaptation to a new microscope (not normalised)"},
                 "training": {"ensemble": f"{len(members)} classifiers trained from scratch on one data split and "
                                          "one crop rule, with different seeds (and recipes: each member's own "
                                          "training below); models/wbc_ensemble.py",
                              "members": [{"run": str(r), "sha256": c["sha256"], **c["training"],
                                           "metrics": {k: {m: c["metrics"][k][m] for m in ("accuracy", "balanced_accuracy")}
                                                       for k in c["metrics"]}}
                                          for r, (_, _, c) in zip(args.runs, members)],
                              "split_seed": split_seed,
                              **({"symmetric_views": {"views": list(model.views),
                                                      "note": "test-time augmentation in the graph (Symmetric): "
                                                              "each member's embedding is the mean over these "
                                                              "views of the crop, so its logits are the mean "
                                                              "logits of the views"}}
                                 if args.views > 1 else {})},
                 "metrics": res,
                 "created": datetime.date.today().isoformat()})
    (out / f"{args.name}.json").write_text(json.dumps(card, indent=2) + "\n")
    print(f"[card] {out / (args.name + '.json')}")
    return card


if __name__ == "__main__":
    D.report_data_errors()
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("runs", nargs="+", help="members: run folders of models.differential (each with <name>/checkpoint.pth), "
                                             "or classifiers' .onnx files with their card beside them (models/wbc-members/)")
    p.add_argument("--data", default=str(D.default_data_root()))
    p.add_argument("--name", default="smearcount-wbc")
    p.add_argument("--out-dir", default=str(D.HERE))
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--restore", action="store_true",
                   help="measure and ship the pair with the app's restoration of soft crops (models/restore.py) "
                        "where no member trained with it (a member that did brings its own)")
    p.add_argument("--views", type=int, choices=[1, 4, 8], default=1,
                   help="read each crop over this many of its turns and flips, in the graph (Symmetric)")
    p.add_argument("--restore-chosen", default=None, help="how the restoration was chosen, for the card")
    p.add_argument("--pad", choices=["edge", "grey"], default=None,
                   help="pad the crop outside the image this way at inference, whatever the members trained with "
                        "(edge: replicate the image's edge; a single-cell image the cell fills reads right)")
    p.add_argument("--pad-chosen", default=None, help="how the pad was chosen, for the card")
    main(p.parse_args())
