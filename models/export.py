"""Export to ONNX (opset 11, torchvision's detection contract) and shrink the weights.

Shipping contract:
  input  image  float32 [3,H,W], RGB in [0,1], any H, W
  output boxes  float32 [N,4] (x1,y1,x2,y2 in input pixels), labels int64 [N] (1 RBC, 2 WBC, 3 Platelets),
         scores float32 [N]

Weights: BatchNorm is folded into the convolutions, then every conv/linear weight is rounded to int8 per
output channel. The ONNX file stores int8 + a float scale and rebuilds the float weight with Cast+Mul,
which onnxruntime constant-folds at session creation; the PyTorch model gets the identical rounding
(`fake_quantize_`), so PyTorch and ONNX compute the same function and the card's metrics hold for the
shipped file.
"""
import argparse
import hashlib
import json
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import helper, numpy_helper
from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

OPSET = 11  # torchvision 0.14 registers RoiAlign for opset 11 only (see shared/GUIDE.md)


def fuse_batchnorm_(module):
    """Fold every Conv2d followed by BatchNorm2d inside nn.Sequential (in eval mode)."""
    for name, child in module.named_children():
        if isinstance(child, nn.Sequential):
            items = list(child)
            for k in range(len(items) - 1):
                if isinstance(items[k], nn.Conv2d) and isinstance(items[k + 1], nn.BatchNorm2d):
                    child[k] = fuse_conv_bn_eval(items[k].eval(), items[k + 1].eval())
                    child[k + 1] = nn.Identity()
        fuse_batchnorm_(child)
    return module


def quantize_per_channel(w):
    """Symmetric int8 along axis 0. Returns (q int8, scale float32 broadcastable to w)."""
    w = np.asarray(w, dtype=np.float32)
    flat = np.abs(w.reshape(w.shape[0], -1)).max(axis=1)
    scale = (np.where(flat > 0, flat, 1.0) / 127.0).astype(np.float32)
    scale = scale.reshape((-1,) + (1,) * (w.ndim - 1))
    q = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
    return q, scale


@torch.no_grad()
def fake_quantize_(model):
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            q, s = quantize_per_channel(m.weight.detach().numpy())
            m.weight.copy_(torch.from_numpy(q.astype(np.float32) * s))
    return model


def prepare_for_export(model):
    model.eval()
    fuse_batchnorm_(model)
    fake_quantize_(model)
    return model


class ExportWrapper(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, image):
        out = self.model([image])[0]
        return out["boxes"], out["labels"], out["scores"]


def export_onnx(model, path, sample_hw=(480, 640)):
    model.eval()
    x = torch.rand(3, *sample_hw)
    torch.onnx.export(
        ExportWrapper(model), (x,), str(path), opset_version=OPSET,
        input_names=["image"], output_names=["boxes", "labels", "scores"],
        dynamic_axes={"image": {1: "height", 2: "width"}, "boxes": {0: "N"}, "labels": {0: "N"}, "scores": {0: "N"}},
        do_constant_folding=True,
    )


def compress_weights(src, dst, min_elems=256):
    """Replace float weights of Conv / Gemm / MatMul by int8 + per-channel scale + Cast + Mul."""
    m = onnx.load(str(src))
    g = m.graph
    inits = {i.name: i for i in g.initializer}
    # Which initializers are weights, and along which axis their output channels lie.
    axis_of = {}
    for node in g.node:
        if node.op_type == "Conv" and len(node.input) > 1 and node.input[1] in inits:
            axis_of[node.input[1]] = 0
        elif node.op_type == "Gemm" and node.input[1] in inits:
            trans_b = next((a.i for a in node.attribute if a.name == "transB"), 0)
            axis_of[node.input[1]] = 0 if trans_b else 1
        elif node.op_type == "MatMul" and node.input[1] in inits:
            axis_of[node.input[1]] = 1
    new_nodes = []
    for name, axis in axis_of.items():
        w = numpy_helper.to_array(inits[name])
        if w.size < min_elems or w.dtype != np.float32:
            continue
        wt = np.moveaxis(w, axis, 0)
        q, s = quantize_per_channel(wt)
        q, s = np.moveaxis(q, 0, axis), np.moveaxis(s, 0, axis)
        g.initializer.remove(inits[name])
        g.initializer.extend([numpy_helper.from_array(q, name + "_q"), numpy_helper.from_array(s, name + "_scale")])
        new_nodes += [
            helper.make_node("Cast", [name + "_q"], [name + "_qf"], to=onnx.TensorProto.FLOAT),
            helper.make_node("Mul", [name + "_qf", name + "_scale"], [name]),
        ]
    nodes = new_nodes + list(g.node)
    del g.node[:]
    g.node.extend(nodes)
    onnx.checker.check_model(m)
    onnx.save(m, str(dst))


def file_facts(path):
    data = Path(path).read_bytes()
    return {"file": Path(path).name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


def get_args_parser():
    p = argparse.ArgumentParser(description="Export a checkpoint to ONNX (int8-stored weights)")
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--output", required=True)
    return p


def main(args):
    from .model import build_model
    ckpt = torch.load(args.checkpoint, map_location="cpu")
    model = build_model(**ckpt.get("model_cfg", {}))
    model.load_state_dict(ckpt["model"])
    prepare_for_export(model)
    tmp = Path(args.output).with_suffix(".fp32.onnx")
    export_onnx(model, tmp)
    compress_weights(tmp, args.output)
    tmp.unlink()
    print(json.dumps(file_facts(args.output)))


if __name__ == "__main__":
    torch.set_num_threads(2)
    main(get_args_parser().parse_args())
