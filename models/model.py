"""A small Faster R-CNN for blood cells, built from torchvision's FasterRCNN (RPN + RoI heads).

Sized for a 2-core CPU and a browser download: a ResNet-style backbone with strides 8/16/32,
a 48-channel FPN, and anchors matched to the cells at 640x480 (platelets 15-40 px,
RBCs 60-120 px, WBCs up to ~200 px).
"""
from collections import OrderedDict

import torch
from torch import nn
from torchvision.models.detection import FasterRCNN
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.faster_rcnn import FastRCNNPredictor, TwoMLPHead
from torchvision.models.detection.rpn import RegionProposalNetwork
from torchvision.models.detection.transform import GeneralizedRCNNTransform
from torchvision.ops import FeaturePyramidNetwork, MultiScaleRoIAlign


def conv_bn(cin, cout, stride=1, k=3):
    return nn.Sequential(
        nn.Conv2d(cin, cout, k, stride, k // 2, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)
    )


class Block(nn.Module):
    """ResNet basic block."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = conv_bn(cin, cout, stride)
        self.c2 = nn.Sequential(nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout))
        self.skip = (
            nn.Identity() if stride == 1 and cin == cout
            else nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
        )
        self.act = nn.ReLU(inplace=True)

    def forward(self, x):
        return self.act(self.c2(self.c1(x)) + self.skip(x))


class Backbone(nn.Module):
    def __init__(self, widths=(16, 32, 48, 80, 128), fpn_channels=48, depths=(2, 2, 2), p2=False):
        super().__init__()
        w0, w1, w2, w3, w4 = widths

        def stage(cin, cout, n):
            return nn.Sequential(Block(cin, cout, 2), *[Block(cout, cout, 1) for _ in range(n - 1)])

        self.stem = nn.Sequential(conv_bn(3, w0, 2), conv_bn(w0, w1, 2))  # stride 4
        self.s8 = stage(w1, w2, depths[0])
        self.s16 = stage(w2, w3, depths[1])
        self.s32 = stage(w3, w4, depths[2])
        self.fpn = FeaturePyramidNetwork([w2, w3, w4], fpn_channels)
        self.out_channels = fpn_channels
        # Optional stride-4 level (issue 21: small-object capacity for platelets): the stem's output
        # laterally plus p3 upsampled, then a 3x3 conv, as an FPN level of its own. Separate modules (not
        # a fourth FPN input) so that the weights of a model without it keep their names and load.
        self.p2 = p2
        if p2:
            self.p2_lateral = nn.Conv2d(w1, fpn_channels, 1)
            self.p2_out = nn.Conv2d(fpn_channels, fpn_channels, 3, padding=1)

    def forward(self, x):
        c2 = self.stem(x)
        c3 = self.s8(c2)
        c4 = self.s16(c3)
        c5 = self.s32(c4)
        feats = self.fpn(OrderedDict([("p3", c3), ("p4", c4), ("p5", c5)]))
        if not self.p2:
            return feats
        up = nn.functional.interpolate(feats["p3"], size=c2.shape[-2:], mode="nearest")
        p2 = self.p2_out(self.p2_lateral(c2) + up)
        return OrderedDict([("p2", p2), *feats.items()])


class RPNWithoutP2(RegionProposalNetwork):
    """The RPN on p3-p5 only (its anchors are sized for them); p2 serves the RoI pooling alone."""

    def forward(self, images, features, targets=None):
        return super().forward(images, OrderedDict((k, v) for k, v in features.items() if k != "p2"), targets)


class NoResizeTransform(GeneralizedRCNNTransform):
    """Normalise and batch, never resize: the app (and training) choose the input scale, so that a
    second pass at another magnification is not undone by the graph."""

    def resize(self, image, target=None):
        return image, target


class ImageStandardise(NoResizeTransform):
    """NoResizeTransform that standardises each image by its own per-channel mean and standard
    deviation instead of fixed ImageNet-style constants. The input becomes invariant to white
    balance, lamp brightness and stain intensity (a gain and an offset per channel), so colour is
    read relative to the other cells of the same field: on a pale-blue field the RBCs are still the
    reddest cells. Exported as ReduceMean/Sub/Div in the graph, so every runner reproduces it."""

    def normalize(self, image):
        mean = image.mean(dim=(1, 2), keepdim=True)
        std = ((image - mean) ** 2).mean(dim=(1, 2), keepdim=True).sqrt()
        return (image - mean) / (std + 1e-3)


ANCHOR_SIZES = ((12, 20, 32), (48, 72, 108), (160, 240, 360))


def build_model(args=None, **overrides):
    cfg = dict(
        # Chosen on the validation split over a 2.3 M-parameter variant (widths 24-160, FPN 64, head 256,
        # 300 proposals): equal or better validation AP and counts at 1.26 M parameters and ~half the FLOPs.
        widths=(16, 32, 48, 80, 128),
        fpn_channels=48,
        depths=(2, 2, 2),
        representation=128,
        min_size=384,
        max_size=512,
        anchor_sizes=ANCHOR_SIZES,
        score_thresh=0.01,
        detections_per_img=200,
        rpn_post_nms_test=200,
        box_batch_size=256,
        # "image": per-image standardisation (ImageStandardise); "fixed": the constant mean/std of the
        # models shipped before issue 15.
        normalise="image",
        # True: BatchNorm already folded into the convolutions (a model rebuilt from a shipped ONNX
        # file to be fine-tuned; see load_onnx_weights).
        folded=False,
        # True: a stride-4 FPN level that the RoI pooling uses for boxes under 112 px (Backbone).
        p2=False,
    )
    if args is not None:
        for k in cfg:
            if hasattr(args, k) and getattr(args, k) is not None:
                cfg[k] = getattr(args, k)
    cfg.update(overrides)
    backbone = Backbone(tuple(cfg["widths"]), cfg["fpn_channels"], tuple(cfg["depths"]), bool(cfg["p2"]))
    anchor_sizes = tuple(tuple(a) for a in cfg["anchor_sizes"])
    anchors = AnchorGenerator(sizes=anchor_sizes, aspect_ratios=((0.75, 1.0, 1.33),) * len(anchor_sizes))
    levels = (["p2"] if cfg["p2"] else []) + ["p3", "p4", "p5"]
    roi_pool = MultiScaleRoIAlign(featmap_names=levels, output_size=7, sampling_ratio=2)
    box_head = TwoMLPHead(cfg["fpn_channels"] * 7 * 7, cfg["representation"])
    model = FasterRCNN(
        backbone,
        num_classes=None,
        box_predictor=FastRCNNPredictor(cfg["representation"], 4),
        rpn_anchor_generator=anchors,
        box_roi_pool=roi_pool,
        box_head=box_head,
        # Unused: NoResizeTransform below never resizes (the app plans the input size).
        min_size=cfg["min_size"],
        max_size=cfg["max_size"],
        rpn_pre_nms_top_n_train=1000,
        rpn_post_nms_top_n_train=500,
        rpn_pre_nms_top_n_test=600,
        rpn_post_nms_top_n_test=cfg["rpn_post_nms_test"],
        box_batch_size_per_image=cfg["box_batch_size"],
        box_score_thresh=cfg["score_thresh"],
        box_nms_thresh=0.5,
        box_detections_per_img=cfg["detections_per_img"],
    )
    if cfg["p2"]:
        model.rpn.__class__ = RPNWithoutP2
    transform = ImageStandardise if cfg["normalise"] == "image" else NoResizeTransform
    model.transform = transform(cfg["min_size"], cfg["max_size"], model.transform.image_mean,
                                        model.transform.image_std)
    model.smearcount_cfg = cfg
    if cfg["folded"]:
        from .export import fuse_batchnorm_
        fuse_batchnorm_(model.eval()).train()
    return model


def load_onnx_weights(model, onnx_path):
    """Loads a shipped detector's weights (int8 per channel + scale, BN folded) into a folded model
    (build_model(folded=True)): fine-tuning a shipped model needs no checkpoint."""
    import onnx
    from onnx import numpy_helper
    init = {i.name: numpy_helper.to_array(i) for i in onnx.load(str(onnx_path)).graph.initializer}
    state = model.state_dict()
    loaded = 0
    for k in state:
        q, sc, b = init.get(f"model.{k}_q"), init.get(f"model.{k}_scale"), init.get(f"model.{k}")
        if q is not None and sc is not None:
            w = torch.from_numpy(q.astype("float32") * sc)
        elif b is not None:
            w = torch.from_numpy(b.copy())
        else:
            continue
        if w.shape != state[k].shape:
            raise ValueError(f"{onnx_path}: {k} has shape {tuple(w.shape)}, the model {tuple(state[k].shape)}")
        state[k] = w
        loaded += 1
    # A stride-4 level added to a shipped model without one starts from its fresh initialisation.
    n_params = sum(1 for k in state if k.endswith(("weight", "bias")) and not k.startswith("backbone.p2_"))
    if loaded < n_params:
        raise ValueError(f"{onnx_path}: only {loaded} of {n_params} weights found (another architecture?)")
    model.load_state_dict(state)
    return model


def count_parameters(model):
    return sum(p.numel() for p in model.parameters())
