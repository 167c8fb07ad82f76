"""Transforms on (image, target) pairs, so boxes always move with pixels.

image: float32 tensor [3,H,W] in [0,1]; target["boxes"]: float32 [N,4] x1,y1,x2,y2 in pixels.
"""
import math
import random

import torch
import torch.nn.functional as F
import torchvision.transforms.functional as TF


class Compose:
    def __init__(self, transforms):
        self.transforms = transforms

    def __call__(self, image, target):
        for t in self.transforms:
            image, target = t(image, target)
        return image, target


class RandomHorizontalFlip:
    def __init__(self, p=0.5):
        self.p = p

    def __call__(self, image, target):
        if random.random() < self.p:
            w = image.shape[-1]
            image = image.flip(-1)
            b = target["boxes"].clone()
            b[:, [0, 2]] = w - target["boxes"][:, [2, 0]]
            target = {**target, "boxes": b}
        return image, target


class RandomVerticalFlip:
    def __init__(self, p=0.5):
        self.p = p

    def __call__(self, image, target):
        if random.random() < self.p:
            h = image.shape[-2]
            image = image.flip(-2)
            b = target["boxes"].clone()
            b[:, [1, 3]] = h - target["boxes"][:, [3, 1]]
            target = {**target, "boxes": b}
        return image, target


class RandomRot90:
    """Smears have no up direction: rotate by a random multiple of 90 degrees (counter-clockwise)."""

    def __call__(self, image, target):
        k = random.randrange(4)
        for _ in range(k):
            w = image.shape[-1]
            image = torch.rot90(image, 1, dims=(-2, -1))
            b = target["boxes"]
            # CCW rotation: (x, y) -> (y, w - x)
            target = {**target, "boxes": torch.stack([b[:, 1], w - b[:, 2], b[:, 3], w - b[:, 0]], dim=1)}
        return image, target


class StainJitter:
    """Brightness/contrast/saturation/hue jitter: slides differ in stain intensity and white balance."""

    def __init__(self, brightness=0.2, contrast=0.2, saturation=0.25, hue=0.04, p=0.8):
        self.b, self.c, self.s, self.h, self.p = brightness, contrast, saturation, hue, p

    def __call__(self, image, target):
        if random.random() >= self.p:
            return image, target
        ops = [
            lambda im: TF.adjust_brightness(im, random.uniform(1 - self.b, 1 + self.b)),
            lambda im: TF.adjust_contrast(im, random.uniform(1 - self.c, 1 + self.c)),
            lambda im: TF.adjust_saturation(im, random.uniform(1 - self.s, 1 + self.s)),
            lambda im: TF.adjust_hue(im, random.uniform(-self.h, self.h)),
        ]
        random.shuffle(ops)
        for op in ops:
            image = op(image)
        return image.clamp_(0, 1), target


class RandomScale:
    """Scale jitter: microscope cameras and objectives differ in pixels per micron."""

    def __init__(self, lo=0.8, hi=1.25):
        self.lo, self.hi = lo, hi

    def __call__(self, image, target):
        s = math.exp(random.uniform(math.log(self.lo), math.log(self.hi)))
        h, w = image.shape[-2:]
        nh, nw = max(1, round(h * s)), max(1, round(w * s))
        image = F.interpolate(image[None], size=(nh, nw), mode="bilinear", align_corners=False)[0]
        b = target["boxes"] * torch.tensor([nw / w, nh / h, nw / w, nh / h])
        return image, {**target, "boxes": b}


class RandomCrop:
    """Crop to at most `size` (h, w). A box keeps its label if at least `min_visible` of its area
    stays inside; smaller slivers are dropped, which matches the annotators' habit of leaving
    cells cut by the image border unlabelled."""

    def __init__(self, size, min_visible=0.5):
        self.size, self.min_visible = size, min_visible

    def __call__(self, image, target):
        h, w = image.shape[-2:]
        ch, cw = min(self.size[0], h), min(self.size[1], w)
        y0, x0 = random.randint(0, h - ch), random.randint(0, w - cw)
        image = image[:, y0:y0 + ch, x0:x0 + cw]
        b = target["boxes"]
        area = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
        c = b - torch.tensor([x0, y0, x0, y0], dtype=b.dtype)
        c[:, [0, 2]] = c[:, [0, 2]].clamp(0, cw)
        c[:, [1, 3]] = c[:, [1, 3]].clamp(0, ch)
        vis = (c[:, 2] - c[:, 0]) * (c[:, 3] - c[:, 1])
        keep = (vis >= self.min_visible * area) & (c[:, 2] - c[:, 0] >= 3) & (c[:, 3] - c[:, 1] >= 3)
        return image, {**target, "boxes": c[keep], "labels": target["labels"][keep]}


def train_transforms(crop):
    t = [RandomScale(0.8, 1.25)]
    if crop:
        t.append(RandomCrop((crop, crop)))
    t += [RandomHorizontalFlip(), RandomVerticalFlip(), RandomRot90(), StainJitter()]
    return Compose(t)
