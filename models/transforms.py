"""Transforms on (image, target) pairs, so boxes always move with pixels.

image: float32 tensor [3,H,W] in [0,1]; target["boxes"]: float32 [N,4] x1,y1,x2,y2 in pixels.
"""
import math
import random

import torch
import torch.nn.functional as F
import torchvision.transforms.functional as TF

from .mirror import plan_scale  # the app's planInput rule (models/mirror.py)


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


# Ruifrok & Johnston's stain vectors (haematoxylin, eosin, DAB) as optical densities of R, G, B.
_HED = torch.tensor([[0.650, 0.704, 0.286], [0.072, 0.990, 0.105], [0.268, 0.570, 0.776]])
_HED = _HED / _HED.norm(dim=1, keepdim=True)
_HED_INV = torch.linalg.inv(_HED)


class HedJitter:
    """Stain-space jitter (Tellez et al. 2019, "HED"): move the image into haematoxylin / eosin / DAB
    optical density, scale and shift each stain, and come back. Across pathology centres this (with
    strong HSV jitter) generalised better than stain normalisation: another lab's stain is another
    mix of the same dyes."""

    def __init__(self, sigma=0.2, bias=0.03, p=0.5):
        self.sigma, self.bias, self.p = sigma, bias, p

    def __call__(self, image, target):
        if random.random() >= self.p:
            return image, target
        od = -torch.log(image.clamp(min=1 / 255))  # [3,H,W]
        hed = torch.einsum("chw,cd->dhw", od, _HED_INV)
        a = torch.empty(3, 1, 1).uniform_(1 - self.sigma, 1 + self.sigma)
        b = torch.empty(3, 1, 1).uniform_(-self.bias, self.bias)
        od = torch.einsum("dhw,dc->chw", hed * a + b, _HED).clamp(min=0)
        return torch.exp(-od).clamp_(0, 1), target


class ColourCast:
    """What a new microscope does to colour: camera white balance (per-channel gains), a lamp or
    filter cast (wide hue turns: pale-blue and yellow fields exist), and monochrome-like fields
    (greyscale). Measured in issue 15: the shipped model found no RBCs on a pale-blue field."""

    def __init__(self, gains=(0.7, 1.3), hue=0.5, p_hue=0.4, p_grey=0.1, p=0.8):
        self.gains, self.hue, self.p_hue, self.p_grey, self.p = gains, hue, p_hue, p_grey, p

    def __call__(self, image, target):
        if random.random() >= self.p:
            return image, target
        g = torch.empty(3, 1, 1).uniform_(*self.gains)
        image = (image * g).clamp_(0, 1)
        if random.random() < self.p_hue:
            image = TF.adjust_hue(image, random.uniform(-self.hue, self.hue))
        if random.random() < self.p_grey:
            image = TF.rgb_to_grayscale(image, 3)
        return image, target


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


def clip_boxes(boxes, x0, y0, cw, ch):
    """Boxes moved into a crop at (x0, y0) of size cw x ch and clipped to it, with the share of each
    box's area left inside."""
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    c = boxes - torch.tensor([x0, y0, x0, y0], dtype=boxes.dtype)
    c[:, [0, 2]] = c[:, [0, 2]].clamp(0, cw)
    c[:, [1, 3]] = c[:, [1, 3]].clamp(0, ch)
    vis = (c[:, 2] - c[:, 0]) * (c[:, 3] - c[:, 1])
    return c, vis / area.clamp(min=1e-6)


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
        c, inside = clip_boxes(target["boxes"], x0, y0, cw, ch)
        keep = (inside >= self.min_visible) & (c[:, 2] - c[:, 0] >= 3) & (c[:, 3] - c[:, 1] >= 3)
        return image, {**target, "boxes": c[keep], "labels": target["labels"][keep]}


def train_transforms(crop):
    t = [RandomScale(0.8, 1.25)]
    if crop:
        t.append(RandomCrop((crop, crop)))
    t += [RandomHorizontalFlip(), RandomVerticalFlip(), RandomRot90(), StainJitter()]
    return Compose(t)


class ScaleCrop:
    """Magnification-aware scale jitter and crop in one step (only the cropped pixels are resized).

    Each image is first brought to the model's reference scale, where its median interior RBC
    (target["rbc_size"], from the labels) is `ref_size` px; images without RBCs use the app's plan
    scale. Then a random magnification is applied: with probability `p_wide` log-uniform in `wide`
    (so the first pass finds cells at any magnification), else in `narrow` (the range the second
    pass brings every image into). Boxes cut by the crop are kept, clipped, when at least
    `min_visible` of their area remains: complete labels box every visible cell, cut ones included."""

    def __init__(self, size, ref_size, native=(512, 384), narrow=(0.8, 1.25), wide=(0.4, 2.5), p_wide=0.5,
                 min_visible=0.3):
        self.size, self.ref, self.native = size, ref_size, native
        self.narrow, self.wide, self.p_wide, self.min_visible = narrow, wide, p_wide, min_visible

    def magnification(self):
        lo, hi = self.wide if random.random() < self.p_wide else self.narrow
        return math.exp(random.uniform(math.log(lo), math.log(hi)))

    def __call__(self, image, target, size=None, magnification=None):
        """size: (width, height) of the crop in model pixels (default square `self.size`)."""
        h, w = image.shape[-2:]
        rbc = target.get("rbc_size")
        base = self.ref / rbc if rbc else plan_scale(w, h, self.native)
        s = base * (magnification or self.magnification())
        sw, sh = size or (self.size, self.size)
        cw, ch = min(w, math.ceil(sw / s)), min(h, math.ceil(sh / s))
        x0, y0 = random.randint(0, w - cw), random.randint(0, h - ch)
        crop = image[:, y0:y0 + ch, x0:x0 + cw]
        nw, nh = max(8, round(cw * s)), max(8, round(ch * s))
        crop = F.interpolate(crop[None], size=(nh, nw), mode="bilinear", align_corners=False,
                             antialias=s < 1)[0].clamp_(0, 1)
        c, inside = clip_boxes(target["boxes"], x0, y0, cw, ch)
        c = c * torch.tensor([nw / cw, nh / ch, nw / cw, nh / ch], dtype=c.dtype)
        keep = (inside >= self.min_visible) & (c[:, 2] - c[:, 0] >= 2) & (c[:, 3] - c[:, 1] >= 2)
        return crop, {**target, "boxes": c[keep], "labels": target["labels"][keep]}


class RandomBlur:
    """Defocus: another microscope is rarely focused like the training one."""

    def __init__(self, p=0.3, sigma=(0.3, 1.6)):
        self.p, self.sigma = p, sigma

    def __call__(self, image, target):
        if random.random() < self.p:
            s = random.uniform(*self.sigma)
            k = 2 * math.ceil(2.5 * s) + 1
            image = TF.gaussian_blur(image, [k, k], [s, s])
        return image, target


class RandomNoise:
    """Camera noise."""

    def __init__(self, p=0.2, sigma=(0.005, 0.03)):
        self.p, self.sigma = p, sigma

    def __call__(self, image, target):
        if random.random() < self.p:
            image = (image + torch.randn_like(image) * random.uniform(*self.sigma)).clamp_(0, 1)
        return image, target


class RandomLowRes:
    """Resolution loss: shrink by f then enlarge back. A zoomed-out smear reaches the model through the
    app's second pass as exactly such an enlarged, soft image."""

    def __init__(self, p=0.25, factor=(1.3, 2.5)):
        self.p, self.factor = p, factor

    def __call__(self, image, target):
        if random.random() < self.p:
            h, w = image.shape[-2:]
            f = random.uniform(*self.factor)
            small = F.interpolate(image[None], size=(max(4, round(h / f)), max(4, round(w / f))), mode="bilinear",
                                  align_corners=False, antialias=True)
            image = F.interpolate(small, size=(h, w), mode="bilinear", align_corners=False)[0].clamp_(0, 1)
        return image, target


class Mosaic:
    """Four images in the quadrants of one crop, split at a random point (as YOLO's mosaic). Cells cut by
    one image's border then lie against another image's cut cells, which is what a zoomed-out field
    stitched from several views, or a crowded smear, looks like. All four share one magnification."""

    def __init__(self, scale_crop: "ScaleCrop"):
        self.sc = scale_crop

    def __call__(self, samples):
        size = self.sc.size
        cx = random.randint(size // 4, 3 * size // 4)
        cy = random.randint(size // 4, 3 * size // 4)
        mag = self.sc.magnification()
        canvas = torch.full((3, size, size), 0.5)
        boxes, labels = [], []
        quads = [(0, 0, cx, cy), (cx, 0, size - cx, cy), (0, cy, cx, size - cy), (cx, cy, size - cx, size - cy)]
        for (image, target), (x0, y0, qw, qh) in zip(samples, quads):
            im, t = self.sc(image, target, size=(qw, qh), magnification=mag)
            ih, iw = im.shape[-2:]
            ih, iw = min(ih, qh), min(iw, qw)
            canvas[:, y0:y0 + ih, x0:x0 + iw] = im[:, :ih, :iw]
            b = t["boxes"].clone()
            b[:, [0, 2]] = b[:, [0, 2]].clamp(0, iw) + x0
            b[:, [1, 3]] = b[:, [1, 3]].clamp(0, ih) + y0
            ok = (b[:, 2] - b[:, 0] >= 2) & (b[:, 3] - b[:, 1] >= 2)
            boxes.append(b[ok])
            labels.append(t["labels"][ok])
        target = {**samples[0][1], "boxes": torch.cat(boxes).reshape(-1, 4), "labels": torch.cat(labels)}
        return canvas, target


class WithMosaic:
    """Dataset wrapper: with probability p an item is a mosaic of it and three random others."""

    def __init__(self, dataset, scale_crop, post, p=0.3):
        self.ds, self.mosaic, self.post, self.p = dataset, Mosaic(scale_crop), post, p
        self.sc = scale_crop

    def __len__(self):
        return len(self.ds)

    def __getitem__(self, i):
        if random.random() < self.p:
            idx = [i] + [random.randrange(len(self.ds)) for _ in range(3)]
            image, target = self.mosaic([self.ds.raw(k) for k in idx])
        else:
            image, target = self.sc(*self.ds.raw(i))
        return self.post(image, target)


def photometric_transforms(p_lowres=0.25, colour="cast"):
    """Everything after the scale and crop. colour: "cast" adds HED stain jitter and the colour
    casts of other microscopes (the recipe chosen by leaving one microscope out); "mild" is the
    earlier stain jitter alone."""
    colour_t = [HedJitter(), ColourCast()] if colour == "cast" else []
    return Compose([
        RandomLowRes(p=p_lowres),
        RandomHorizontalFlip(), RandomVerticalFlip(), RandomRot90(),
        *colour_t,
        StainJitter(brightness=0.25, contrast=0.25, saturation=0.35, hue=0.06, p=0.9),
        RandomBlur(), RandomNoise(),
    ])


def multiscale_transforms(crop, ref_size, native=(512, 384), wide=(0.4, 2.5), p_wide=0.5, p_lowres=0.25,
                          colour="cast"):
    return Compose([ScaleCrop(crop, ref_size, native=native, wide=wide, p_wide=p_wide),
                    photometric_transforms(p_lowres, colour)])
