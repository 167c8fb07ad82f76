"""The int8 QDQ rewrite (models/quantize_int8.py) on a small graph: which tensors get Q/DQ, and that the
int8 weights and int32 biases dequantise back to the float ones (onnxruntime itself is checked by
scripts/quantizeModel.ts, which counts the QLinearConv nodes ORT fuses)."""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from .quantize_int8 import build, calibration_model, plan


def tiny_model(seed=0):
    rng = np.random.default_rng(seed)
    w1 = rng.normal(size=(4, 3, 3, 3)).astype(np.float32)
    w2 = (rng.normal(size=(4, 4, 1, 1)) * np.array([1, 10, 0.1, 1])[:, None, None, None]).astype(np.float32)
    w3 = rng.normal(size=(2, 4, 1, 1)).astype(np.float32)
    inits = [numpy_helper.from_array(a, n) for a, n in [(w1, "w1"), (w2, "w2"), (w3, "w3"),
             (rng.normal(size=4).astype(np.float32), "b1"), (rng.normal(size=4).astype(np.float32), "b2")]]
    nodes = [
        helper.make_node("Conv", ["image", "w1", "b1"], ["c1"], name="/model/backbone/stem/stem.0/Conv", pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"], name="/model/backbone/stem/Relu"),
        helper.make_node("Conv", ["r1", "w2", "b2"], ["c2"], name="/model/backbone/s8/Conv"),
        helper.make_node("Add", ["c2", "r1"], ["a"], name="/model/backbone/s8/Add"),
        helper.make_node("Conv", ["a", "w3"], ["out"], name="/model/rpn/head/cls_logits/Conv"),
    ]
    g = helper.make_graph(nodes, "t", [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, 8, 8])],
                          [helper.make_tensor_value_info("out", TensorProto.FLOAT, [1, 2, 8, 8])], inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 11)])


def test_plan_and_build():
    m = tiny_model()
    p = plan(m)
    assert p["convs"] == ["/model/backbone/stem/stem.0/Conv", "/model/backbone/s8/Conv"]  # the head stays float
    assert p["tensors"] == {"image": "any", "r1": "relu", "c2": "any"}
    cal = calibration_model(m, p["tensors"])
    assert {o.name for o in cal.graph.output} == {"out", "image", "r1", "c2"}
    q = build(m, p, {"image": [-2.0, 3.0], "r1": [0.0, 4.0], "c2": [-5.0, 5.0]})
    onnx.checker.check_model(q)
    init = {i.name: numpy_helper.to_array(i) for i in q.graph.initializer}
    assert "w1" not in init and "w2" not in init and "w3" in init  # float weights only where still read
    assert init["r1_zp"] == 0 and init["r1_zp"].dtype == np.uint8  # zero point 0 after a Relu
    wq, ws = init["model_backbone_s8_Conv_wq"], init["model_backbone_s8_Conv_wscale"]
    assert wq.dtype == np.int8 and ws.shape == (4,) and np.abs(wq).max() == 127
    w2 = numpy_helper.to_array(next(i for i in m.graph.initializer if i.name == "w2"))
    assert np.abs(wq * ws[:, None, None, None] - w2).max() <= ws.max() / 2 + 1e-6  # per channel: the 0.1x row keeps precision
    bq, bs = init["model_backbone_s8_Conv_bq"], init["model_backbone_s8_Conv_bscale"]
    assert bq.dtype == np.int32 and np.allclose(bs, init["r1_scale"] * ws)
    cons = {i: n.name for n in q.graph.node for i in n.input}
    assert cons["r1_dq"] and "r1" not in [i for n in q.graph.node if n.op_type != "QuantizeLinear" for i in n.input]
    # every consumer of c2 (the Add) reads the DQ output; the head conv reads the Add as before
    add = next(n for n in q.graph.node if n.op_type == "Add")
    assert list(add.input) == ["c2_dq", "r1_dq"]
