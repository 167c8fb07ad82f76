"""Graph-level rewrites of the exported detector that change its speed, never its outputs.

`optimize(model)` is meant to be called by the export on the final ONNX model, after the weights are
compressed. Each rewrite here computes exactly the same values as the graph it replaces (pure data
movement), so the card's figures hold; `python -m models.optimize_onnx in.onnx out.onnx` applies it
to a shipped file.

merge_roi_levels
    torchvision traces MultiScaleRoIAlign's level merge (`_onnx_merge_levels`) as a zero tensor of
    [N, C, 7, 7] and one ScatterElements per FPN level, each with an int64 index tensor expanded to the
    full [n_level, C, 7, 7]: three copies of the whole pooled tensor plus three index tensors twice its
    size, on every image. The ORT profiles (npm run bench) put it second only to the convolutions.
    Since every box goes to exactly one level, the same result is one Concat of the per-level outputs
    and one Gather by the inverse of the concatenated level indices. Rows no level claims (there are
    none; kept for exactness) read a zero row appended to the Concat, as they read the zero tensor before.
"""

import numpy as np
import onnx
from onnx import helper, numpy_helper


def _producers(graph):
    return {o: n for n in graph.node for o in n.output}


def _used_names(nodes):
    """Every value name read by these nodes, including from inside If/Loop bodies (outer-scope reads)."""
    used = set()
    for n in nodes:
        used.update(i for i in n.input if i)
        for a in n.attribute:
            if a.type == onnx.AttributeProto.GRAPH:
                used |= _used_names(a.g.node)
            elif a.type == onnx.AttributeProto.GRAPHS:
                for g in a.graphs:
                    used |= _used_names(g.node)
    return used


def _prune(graph):
    """Drops nodes whose outputs nothing reads (repeatedly), and initializers nothing reads."""
    outputs = {o.name for o in graph.output}
    while True:
        used = _used_names(graph.node) | outputs
        keep = [n for n in graph.node if any(o in used for o in n.output)]
        if len(keep) == len(graph.node):
            break
        del graph.node[:]
        graph.node.extend(keep)
    used = _used_names(graph.node) | outputs
    inits = [i for i in graph.initializer if i.name in used]
    del graph.initializer[:]
    graph.initializer.extend(inits)
    # Stale shape annotations of removed values would only confuse later tools.
    vi = [v for v in graph.value_info if v.name in used]
    del graph.value_info[:]
    graph.value_info.extend(vi)


def _scatter_chains(graph):
    """ConstantOfShape -> ScatterElements -> ... -> ScatterElements chains along axis 0, each scatter's
    indices an Expand of a Reshape of a 1-D index tensor (torchvision's _onnx_merge_levels)."""
    prod = _producers(graph)
    consumers = {}
    for n in graph.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    chains = []
    for n in graph.node:
        if n.op_type != "ConstantOfShape":
            continue
        chain = []
        cur = n.output[0]
        while True:
            nxt = [c for c in consumers.get(cur, []) if c.op_type == "ScatterElements" and c.input[0] == cur]
            if len(nxt) != 1 or len(consumers.get(cur, [])) != 1:
                break
            chain.append(nxt[0])
            cur = nxt[0].output[0]
        if len(chain) < 2:
            continue
        levels = []
        for s in chain:
            axis = next((a.i for a in s.attribute if a.name == "axis"), 0)
            exp = prod.get(s.input[1])
            resh = prod.get(exp.input[0]) if exp is not None and exp.op_type == "Expand" else None
            if axis != 0 or resh is None or resh.op_type != "Reshape":
                levels = None
                break
            levels.append((resh.input[0], s.input[2]))
        if levels:
            chains.append((n, chain, levels))
    return chains


def merge_roi_levels(model):
    graph = model.graph
    chains = _scatter_chains(graph)
    for k, (zeros, chain, levels) in enumerate(chains):
        value = next((a.t for a in zeros.attribute if a.name == "value"), None)
        dtype = numpy_helper.to_array(value).dtype if value is not None else np.float32
        p = f"/optimize/merge_levels_{k}/"
        shape = zeros.input[0]  # [N, C, h, w]
        c = lambda name, arr: helper.make_node("Constant", [], [p + name], value=numpy_helper.from_array(np.asarray(arr), p + name))  # noqa: E731
        new = [
            c("zero_i64", np.array(0, dtype=np.int64)),
            c("one_i64", np.array(1, dtype=np.int64)),
            c("starts0", np.array([0], dtype=np.int64)),
            c("ends1", np.array([1], dtype=np.int64)),
            c("ends_max", np.array([np.iinfo(np.int64).max], dtype=np.int64)),
            c("axis0", np.array([0], dtype=np.int64)),
            # The level indices, concatenated in level order: where each concatenated row belongs.
            helper.make_node("Concat", [i for i, _ in levels], [p + "perm"], axis=0),
            helper.make_node("Shape", [p + "perm"], [p + "perm_len"]),
            helper.make_node("Squeeze", [p + "perm_len"], [p + "perm_len_s"], axes=[0]),
            helper.make_node("Range", [p + "zero_i64", p + "perm_len_s", p + "one_i64"], [p + "rows"]),
            # inv[perm[j]] = j; rows nobody claims point at the zero row (index N_concat).
            helper.make_node("Slice", [shape, p + "starts0", p + "ends1", p + "axis0"], [p + "n"]),
            helper.make_node("Expand", [p + "perm_len", p + "n"], [p + "inv_init"]),
            helper.make_node("ScatterElements", [p + "inv_init", p + "perm", p + "rows"], [p + "inv"], axis=0),
            helper.make_node("Slice", [shape, p + "ends1", p + "ends_max", p + "axis0"], [p + "row_dims"]),
            helper.make_node("Concat", [p + "ends1", p + "row_dims"], [p + "zero_row_shape"], axis=0),
            helper.make_node(
                "ConstantOfShape",
                [p + "zero_row_shape"],
                [p + "zero_row"],
                value=numpy_helper.from_array(np.zeros(1, dtype=dtype), p + "zero_value"),
            ),
            helper.make_node("Concat", [u for _, u in levels] + [p + "zero_row"], [p + "stacked"], axis=0),
            helper.make_node("Gather", [p + "stacked", p + "inv"], [chain[-1].output[0]], axis=0),
        ]
        # Insert where the last scatter was (its inputs are all computed by then), and drop the chain.
        at = list(graph.node).index(chain[-1])
        drop = {id(s) for s in chain}
        nodes = [n for n in graph.node[:at] if id(n) not in drop] + new + [n for n in graph.node[at + 1 :] if id(n) not in drop]
        del graph.node[:]
        graph.node.extend(nodes)
    _prune(graph)
    return model, len(chains)


def optimize(model):
    """All rewrites; returns the model and a short description of what changed."""
    model, merged = merge_roi_levels(model)
    onnx.checker.check_model(model)
    return model, {"merge_roi_levels": merged}


if __name__ == "__main__":
    import argparse
    p = argparse.ArgumentParser(prog="python -m models.optimize_onnx",
                                description="Applies the output-preserving graph rewrites to an exported detector.")
    p.add_argument("input", help="the detector's ONNX")
    p.add_argument("output", help="where the rewritten ONNX goes")
    a = p.parse_args()
    m, what = optimize(onnx.load(a.input))
    onnx.save(m, a.output)
    print(f"{a.output}: {what}, {len(m.graph.node)} nodes")
