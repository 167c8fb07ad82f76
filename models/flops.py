"""Multiply-accumulates of conv and linear layers for one 640x480 camera image as each model sees it
(ours at its native 512x384 input, the seed's architecture after its 800-px transform), counted with
forward hooks in eval mode. RoIAlign, NMS and elementwise ops are
not counted. Prints GFLOPs (= 2 x GMACs)."""
import json

import torch
import torchvision
from torch import nn

from .model import build_model, count_parameters


def gflops(model, h=480, w=640):
    macs = [0]

    def hook(m, inp, out):
        if isinstance(m, nn.Conv2d):
            k = m.kernel_size[0] * m.kernel_size[1] * (m.in_channels // m.groups)
            macs[0] += out.numel() * k
        elif isinstance(m, nn.Linear):
            macs[0] += out.numel() * m.in_features

    hs = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    with torch.no_grad():
        model.eval()([torch.rand(3, h, w)])
    for x in hs:
        x.remove()
    return 2 * macs[0] / 1e9


if __name__ == "__main__":
    import argparse
    argparse.ArgumentParser(
        prog="python -m models.flops",
        description="Prints the parameters and GFLOPs of our detector and of the seed's ResNet50-FPN, as JSON.",
    ).parse_args()
    torch.set_num_threads(2)
    ours = build_model()
    seed = torchvision.models.detection.fasterrcnn_resnet50_fpn(weights=None, weights_backbone=None, num_classes=4)
    print(json.dumps({
        "ours": {"parameters": count_parameters(ours), "gflops_512x384_native": round(gflops(ours, 384, 512), 2),
                 "gflops_640x480": round(gflops(ours), 2)},
        "seed_resnet50_fpn_800px": {"parameters": count_parameters(seed), "gflops_640x480": round(gflops(seed), 2)},
    }))
