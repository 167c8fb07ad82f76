"""An int8 (QDQ) copy of the detector for ORT-web's WASM backend (issue 24, part 4).

Python has no onnxruntime here, so the work is split with `scripts/quantizeModel.ts`, which runs the
graph in onnxruntime-node and calls the three steps below in order:

    /usr/bin/python3 -m models.quantize_int8 sets  --out DIR          # calibration list + validation folders
    /usr/bin/python3 -m models.quantize_int8 plan  --src basic.onnx --out DIR [--name int8.onnx] [--rpn] [--skip-stem]
    /usr/bin/python3 -m models.quantize_int8 build --src basic.onnx --out DIR [--name int8.onnx] --ranges ranges.json

`basic.onnx` is the shipped model after ORT's "basic" offline optimisation (constant folding expands the
int8-stored weights to float; no fusions, so every Conv is a plain Conv). `plan` picks the Convs to
quantise (backbone + FPN; `--rpn` adds the RPN's shared 3x3 conv; the RPN's 1x1 outputs, the RoI
heads and the box decoding stay float) and the activation tensors that need a range, and writes a copy
of the graph with those tensors as extra outputs for calibration. `build` writes the QDQ model:

- weights: int8, symmetric, one scale per output channel (com.microsoft DequantizeLinear with `axis`,
  because the graph is opset 11 and ONNX's per-axis DequantizeLinear needs opset 13);
- biases: int32 at scale x_scale * w_scale[c], zero point 0 (ORT's QDQ Conv selector wants an int32
  bias from a DequantizeLinear, or no bias);
- activations: uint8, asymmetric, per tensor, Q+DQ on every input and output of a quantised Conv.
  After a Relu the pair sits on the Relu's output with zero point 0, so ORT's ReluQuantFusion drops
  the Relu and Conv -> Q matches the QDQ Conv selector, which ORT turns into QLinearConv at load.

Ranges come from percentiles of the activations over training-split images (never validation or CBC
Testing), not their maxima: one outlier pixel would otherwise stretch the scale for every other one.
"""
import argparse
import json
import os
import random
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from .dataset import SOURCES, default_data_root, load_sources, report_data_errors, split_by_group

MS = "com.microsoft"


def _consumers(graph):
    c = {}
    for n in graph.node:
        for i in n.input:
            c.setdefault(i, []).append(n)
    return c


def _producer(graph):
    return {o: n for n in graph.node for o in n.output}


def choose_convs(graph, rpn=False, skip_stem=False):
    """Names of the Conv nodes to quantise: backbone and FPN (and the RPN's shared 3x3 conv with --rpn)."""
    out = []
    for n in graph.node:
        if n.op_type != "Conv":
            continue
        if "/backbone/" in n.name:
            if skip_stem and "/stem/stem.0/" in n.name:
                continue
            out.append(n.name)
        elif rpn and "/rpn/head/conv/" in n.name:
            out.append(n.name)
    return out


def plan(model, rpn=False, skip_stem=False):
    """{convs, tensors: {name: 'relu'|'any'}}: the Convs to quantise and the activations to calibrate."""
    g = model.graph
    cons = _consumers(g)
    convs = choose_convs(g, rpn, skip_stem)
    byname = {n.name: n for n in g.node}
    tensors = {}
    for name in convs:
        n = byname[name]
        x = n.input[0]
        p = _producer(g).get(x)
        tensors.setdefault(x, "relu" if p is not None and p.op_type == "Relu" else "any")
        y = n.output[0]
        after = cons.get(y, [])
        if len(after) == 1 and after[0].op_type == "Relu":
            tensors[after[0].output[0]] = "relu"
        else:
            tensors.setdefault(y, "any")
    return {"convs": convs, "tensors": tensors}


def calibration_model(model, tensors):
    m = onnx.ModelProto()
    m.CopyFrom(model)
    have = {o.name for o in m.graph.output}
    for t in tensors:
        if t not in have:
            m.graph.output.append(helper.make_tensor_value_info(t, TensorProto.FLOAT, None))
    return m


def _act_qparams(lo, hi, relu):
    """uint8 asymmetric; exactly zero point 0 after a Relu (so ORT can drop the Relu)."""
    lo = 0.0 if relu else min(float(lo), 0.0)
    hi = max(float(hi), lo + 1e-6, 0.0)
    scale = (hi - lo) / 255.0
    zp = 0 if relu else int(np.clip(round(-lo / scale), 0, 255))
    return np.float32(scale), np.uint8(zp)


def build(model, p, ranges):
    """The QDQ model for plan `p` and calibrated `ranges` {tensor: [lo, hi]}."""
    m = onnx.ModelProto()
    m.CopyFrom(model)
    g = m.graph
    init = {i.name: i for i in g.initializer}
    if not any(o.domain == MS for o in m.opset_import):
        m.opset_import.append(helper.make_opsetid(MS, 1))
    qp = {}
    new_nodes_after = {}  # producer output -> [Q, DQ]
    for t, kind in p["tensors"].items():
        lo, hi = ranges[t]
        s, z = _act_qparams(lo, hi, kind == "relu")
        qp[t] = s
        base = t.replace("/", "_").strip("_")
        g.initializer.extend([numpy_helper.from_array(np.array(s, np.float32), f"{base}_scale"),
                              numpy_helper.from_array(np.array(z, np.uint8), f"{base}_zp")])
        q = helper.make_node("QuantizeLinear", [t, f"{base}_scale", f"{base}_zp"], [f"{t}_q"], name=f"{base}_Q", domain=MS)
        dq = helper.make_node("DequantizeLinear", [f"{t}_q", f"{base}_scale", f"{base}_zp"], [f"{t}_dq"], name=f"{base}_DQ", domain=MS)
        new_nodes_after[t] = [q, dq]
    # every consumer of a quantised tensor reads its DQ output
    for n in g.node:
        for k, i in enumerate(n.input):
            if i in new_nodes_after:
                n.input[k] = f"{i}_dq"
    byname = {n.name: n for n in g.node}
    weight_nodes = {}
    for name in p["convs"]:
        n = byname[name]
        w = numpy_helper.to_array(init[n.input[1]]).astype(np.float32)
        ws = np.maximum(np.abs(w).reshape(w.shape[0], -1).max(1), 1e-8) / 127.0
        wq = np.clip(np.round(w / ws[:, None, None, None]), -127, 127).astype(np.int8)
        base = name.replace("/", "_").strip("_")
        g.initializer.extend([numpy_helper.from_array(wq, f"{base}_wq"),
                              numpy_helper.from_array(ws.astype(np.float32), f"{base}_wscale"),
                              numpy_helper.from_array(np.zeros(w.shape[0], np.int8), f"{base}_wzp")])
        nodes = [helper.make_node("DequantizeLinear", [f"{base}_wq", f"{base}_wscale", f"{base}_wzp"], [f"{base}_w"],
                                  name=f"{base}_wDQ", domain=MS, axis=0)]
        x = n.input[0]
        assert x.endswith("_dq"), f"{name}: input {x} not quantised"
        if len(n.input) > 2 and n.input[2]:
            b = numpy_helper.to_array(init[n.input[2]]).astype(np.float64)
            bs = (qp[x[:-3]] * ws).astype(np.float32)
            bq = np.round(b / bs).astype(np.int32)
            g.initializer.extend([numpy_helper.from_array(bq, f"{base}_bq"),
                                  numpy_helper.from_array(bs, f"{base}_bscale"),
                                  numpy_helper.from_array(np.zeros(w.shape[0], np.int32), f"{base}_bzp")])
            nodes.append(helper.make_node("DequantizeLinear", [f"{base}_bq", f"{base}_bscale", f"{base}_bzp"], [f"{base}_b"],
                                          name=f"{base}_bDQ", domain=MS, axis=0))
            n.input[2] = f"{base}_b"
        n.input[1] = f"{base}_w"
        weight_nodes[name] = nodes
    # rebuild the node list in topological order: weight DQs before their Conv, Q/DQ right after the producer
    graph_inputs = {i.name for i in g.input}
    out = []
    for t in graph_inputs & set(new_nodes_after):
        out.extend(new_nodes_after[t])
    for n in list(g.node):
        out.extend(weight_nodes.get(n.name, []))
        out.append(n)
        for o in n.output:
            out.extend(new_nodes_after.get(o, []))
    del g.node[:]
    g.node.extend(out)
    # drop the float weights no node reads any more
    used = _subgraph_inputs(m)
    keep = [i for i in g.initializer if i.name in used]
    del g.initializer[:]
    g.initializer.extend(keep)
    return m


def _subgraph_inputs(model):
    names = set()

    def walk(graph):
        for n in graph.node:
            names.update(n.input)
            for a in n.attribute:
                if a.type == onnx.AttributeProto.GRAPH:
                    walk(a.g)
                for sg in a.graphs:
                    walk(sg)
    walk(model.graph)
    return names


def sets(out, data, n_calib=48, seed=42, val_fraction=0.15):
    """calib.txt: n_calib training-split images spread over the sources; val-<source>/ folders of the
    validation split (symlinks, never copies) for `npm run eval`."""
    recs = load_sources(data, SOURCES, log=None)
    train, val = split_by_group(recs, val_fraction, seed)
    rng = random.Random(seed)
    by = {}
    for r in train:
        by.setdefault(r["source"], []).append(r)
    pick = []
    srcs = sorted(by)
    for k, s in enumerate(srcs):
        rs = sorted(by[s], key=lambda r: r["name"])
        rng.shuffle(rs)
        pick += rs[: n_calib // len(srcs) + (1 if k < n_calib % len(srcs) else 0)]
    out.mkdir(parents=True, exist_ok=True)
    (out / "calib.txt").write_text("".join(f"{r['image']}\n" for r in pick))
    for r in val:
        d = out / f"val-{r['source']}"
        for sub, src in (("Images", Path(r["image"])), ("Annotations", Path(r["image"]).parent.parent / "Annotations" / f"{r['name']}.xml")):
            (d / sub).mkdir(parents=True, exist_ok=True)
            link = d / sub / src.name
            if not link.exists():
                os.symlink(src, link)
    return len(pick), {s: sum(r["source"] == s for r in val) for s in sorted({r["source"] for r in val})}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("step", choices=["sets", "plan", "build"])
    ap.add_argument("--out", required=True)
    ap.add_argument("--src")
    ap.add_argument("--data", default=str(default_data_root()))
    ap.add_argument("--ranges")
    ap.add_argument("--rpn", action="store_true")
    ap.add_argument("--skip-stem", action="store_true")
    ap.add_argument("--name", default="int8.onnx")
    a = ap.parse_args()
    out = Path(a.out)
    if a.step == "sets":
        n, v = sets(out, a.data)
        print(f"{n} calibration images (training split); validation {v}")
        return
    model = onnx.load(a.src)
    if a.step == "plan":
        p = plan(model, a.rpn, a.skip_stem)
        out.mkdir(parents=True, exist_ok=True)
        stem = a.name.removesuffix(".onnx")
        (out / f"{stem}.plan.json").write_text(json.dumps(p, indent=1))
        onnx.save(calibration_model(model, p["tensors"]), str(out / f"{stem}.calib.onnx"))
        print(f"{len(p['convs'])} convs, {len(p['tensors'])} activations to calibrate")
    else:
        p = json.loads((out / f"{a.name.removesuffix('.onnx')}.plan.json").read_text())
        ranges = json.loads(Path(a.ranges).read_text())
        q = build(model, p, ranges)
        onnx.checker.check_model(q)
        onnx.save(q, str(out / a.name))
        print(f"wrote {out / a.name}: {len(p['convs'])} int8 convs, {os.path.getsize(out / a.name) / 1e6:.2f} MB")


if __name__ == "__main__":
    report_data_errors()
    main()
