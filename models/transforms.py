"""Transforms on (image, target) pairs, so boxes always move with pixels.

image: float32 tensor [3,H,W] in [0,1]; target["boxes"]: float32 [N,4] x1,y1,x2,y2 in pixels.
"""
import math
import random

import torch
import torch.nn.functional as F
import torchvision.transforms.functional as TF
from torchvision.ops import box_iou

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


class DustSpecks:
    """Platelet hard negatives: grey specks of platelet size pasted where no cell is, unlabelled.

    Issue 21: 10 of the 12 false platelets on CBC Testing were one grey speck of dust on the camera.
    A platelet is purple *relative to the field*; dust, debris and lens specks are grey or brown. With
    greyscale augmentation the detector lost that evidence. These specks teach it again, under every
    cast that follows (they are pasted before the colour transforms, so the cast tints them with the
    field, as real dust is tinted). Sizes follow the crop's own platelets, else the RBC size."""

    def __init__(self, p=0.35, n=(1, 4), size=(0.15, 0.45)):
        self.p, self.n, self.size = p, n, size

    def __call__(self, image, target):
        if random.random() >= self.p:
            return image, target
        _, h, w = image.shape
        boxes = target["boxes"]
        labels = target["labels"]
        rbc = boxes[labels == 1]
        ref = float(((rbc[:, 2] - rbc[:, 0]) + (rbc[:, 3] - rbc[:, 1])).median() / 2) if len(rbc) else 0.2 * min(h, w)
        yy = torch.arange(h, dtype=torch.float32)[:, None]
        xx = torch.arange(w, dtype=torch.float32)[None, :]
        for _ in range(random.randint(*self.n)):
            d = max(3.0, ref * random.uniform(*self.size))
            for _try in range(6):
                cx, cy = random.uniform(d, max(d + 1, w - d)), random.uniform(d, max(d + 1, h - d))
                # never on a labelled platelet or WBC: that would teach "this platelet is not a platelet"
                hit = boxes[(labels >= 2)]
                if len(hit) == 0 or not bool(((hit[:, 0] - d < cx) & (cx < hit[:, 2] + d)
                                              & (hit[:, 1] - d < cy) & (cy < hit[:, 3] + d)).any()):
                    break
            else:
                continue
            rx, ry = d / 2 * random.uniform(0.7, 1.3), d / 2 * random.uniform(0.7, 1.3)
            r = ((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2
            alpha = torch.sigmoid((1 - r) * random.uniform(3, 8)) * random.uniform(0.5, 0.95)
            grey = random.uniform(0.15, 0.6)
            tint = torch.tensor([random.uniform(-0.04, 0.08), random.uniform(-0.04, 0.03), random.uniform(-0.06, 0.02)])
            colour = (grey + tint).clamp(0, 1)[:, None, None]  # grey to brown, never purple
            image = image * (1 - alpha) + colour * alpha
        return image.clamp_(0, 1), target


def _pick_platelet(platelets, w, h):
    """A random platelet box of the crop, clipped to it, in whole pixels; None when too small or too large to copy."""
    b = platelets[random.randrange(len(platelets))]
    x1, y1, x2, y2 = [int(round(float(v))) for v in b]
    x1, y1, x2, y2 = max(0, x1), max(0, y1), min(w, x2), min(h, y2)
    if x2 - x1 < 3 or y2 - y1 < 3 or x2 - x1 >= w // 2 or y2 - y1 >= h // 2:
        return None
    return x1, y1, x2, y2


def _is_free(occupied, nx, ny, bw, bh):
    """No box of `occupied` overlaps the bw x bh place at (nx, ny)."""
    o = occupied
    return len(o) == 0 or not bool(((o[:, 0] < nx + bw) & (nx < o[:, 2]) & (o[:, 1] < ny + bh) & (ny < o[:, 3])).any())


def _soft_ellipse(bh, bw):
    """A soft elliptical mask, so a pasted patch carries no hard rectangular edge."""
    yy = torch.linspace(-1, 1, bh)[:, None]
    xx = torch.linspace(-1, 1, bw)[None, :]
    return torch.sigmoid((1 - (xx ** 2 + yy ** 2)) * 6)


def _with_platelets(target, new_boxes):
    """The target with the pasted boxes added as platelets."""
    if not new_boxes:
        return target
    nb = torch.cat(new_boxes)
    return {**target, "boxes": torch.cat([target["boxes"], nb]),
            "labels": torch.cat([target["labels"], torch.full((len(nb),), 3, dtype=target["labels"].dtype)])}


def _platelets_to_copy(p, target):
    """The crop's platelet boxes, when a platelet transform of probability p fires and there is one to copy; else None."""
    plt = target["boxes"][target["labels"] == 3]
    return None if random.random() >= p or len(plt) == 0 else plt


class PlateletCopyPaste:
    """More platelets, at every scale the crop has: copy the crop's own platelets (with a margin of their
    background) to free places of the same crop, labelled. Platelets are the rarest class (about 1 per
    field), and thrombocytopenia is decided on their count."""

    def __init__(self, p=0.3, n=(1, 3)):
        self.p, self.n = p, n

    def __call__(self, image, target):
        plt = _platelets_to_copy(self.p, target)
        if plt is None:
            return image, target
        boxes = target["boxes"]
        _, h, w = image.shape
        new_boxes = []
        occupied = boxes.clone()
        for _ in range(random.randint(*self.n)):
            src = _pick_platelet(plt, w, h)
            if src is None:
                continue
            nb = self._paste_one(image, src, occupied, w, h)
            if nb is not None:
                nb = nb.to(boxes.dtype)
                new_boxes.append(nb)
                occupied = torch.cat([occupied, nb])
        return image, _with_platelets(target, new_boxes)

    def _paste_one(self, image, src, occupied, w, h):
        """Pastes a copy of the platelet at src (x1, y1, x2, y2) into image in place; its new box [1, 4], or
        None when no free place was found."""
        x1, y1, x2, y2 = src
        bw, bh = x2 - x1, y2 - y1
        for _try in range(8):
            nx, ny = random.randint(0, w - bw), random.randint(0, h - bh)
            if _is_free(occupied, nx, ny, bw, bh):
                break
        else:
            return None
        patch = image[:, y1:y2, x1:x2].clone()
        if random.random() < 0.5:
            patch = patch.flip(-1)
        m = _soft_ellipse(bh, bw)
        image[:, ny:ny + bh, nx:nx + bw] = image[:, ny:ny + bh, nx:nx + bw] * (1 - m) + patch * m
        return torch.tensor([[nx, ny, nx + bw, ny + bh]])


class PlateletVariants(PlateletCopyPaste):
    """Issue 21, third try: platelets an unseen microscope shows. In the leave-one-microscope-out runs the
    platelets the detector missed were mostly faint or soft (a pale blue speck under another stain or
    focus) or cut by the image border (recall 0.35 at the border against 0.69 inside, bcd held out).
    So the crop's own platelets are copied, each one changed as another microscope would show it:
    fainter or stronger against its own background (contrast 0.45-1.25 around the patch's rim colour),
    smaller or larger (0.7-1.4x), softer (blur), and placed where the crop's border may cut it (a third of
    the time, up to half of it outside: the label is the visible part, as the complete labels box a cut
    cell). The colour transforms that follow then cast the whole field, pasted platelets included."""

    def __init__(self, p=0.5, n=(1, 3), p_edge=0.33, contrast=(0.45, 1.25), size=(0.7, 1.4), p_blur=0.4):
        super().__init__(p, n)
        self.p_edge, self.contrast, self.size, self.p_blur = p_edge, contrast, size, p_blur

    def _paste_one(self, image, src, occupied, w, h):
        x1, y1, x2, y2 = src
        patch = image[:, y1:y2, x1:x2].clone()
        k = random.uniform(*self.size)
        bw, bh = max(3, round((x2 - x1) * k)), max(3, round((y2 - y1) * k))
        patch = F.interpolate(patch[None], size=(bh, bw), mode="bilinear", align_corners=False)[0]
        if random.random() < 0.5:
            patch = patch.flip(-1)
        if random.random() < 0.5:
            patch = patch.flip(-2)
        rim = torch.cat([patch[:, 0], patch[:, -1], patch[:, :, 0], patch[:, :, -1]], dim=1).mean(dim=1)[:, None, None]
        patch = (rim + (patch - rim) * random.uniform(*self.contrast)).clamp(0, 1)
        if random.random() < self.p_blur:
            patch = TF.gaussian_blur(patch, kernel_size=5, sigma=random.uniform(0.5, 1.5))
        edge = random.random() < self.p_edge
        for _try in range(8):
            if edge:  # cut by a border: up to half of the patch outside the crop
                side = random.randrange(4)
                cut_x, cut_y = random.uniform(0.15, 0.5) * bw, random.uniform(0.15, 0.5) * bh
                nx = int(-cut_x) if side == 0 else int(w - bw + cut_x) if side == 1 else random.randint(0, w - bw)
                ny = int(-cut_y) if side == 2 else int(h - bh + cut_y) if side == 3 else random.randint(0, h - bh)
            else:
                nx, ny = random.randint(0, w - bw), random.randint(0, h - bh)
            if _is_free(occupied, nx, ny, bw, bh):
                break
        else:
            return None
        m = _soft_ellipse(bh, bw)
        # the part of the patch inside the crop
        px0, py0 = max(0, -nx), max(0, -ny)
        px1, py1 = min(bw, w - nx), min(bh, h - ny)
        X0, Y0 = nx + px0, ny + py0
        X1, Y1 = X0 + (px1 - px0), Y0 + (py1 - py0)
        if X1 - X0 < 2 or Y1 - Y0 < 2:
            return None
        mm = m[py0:py1, px0:px1]
        image[:, Y0:Y1, X0:X1] = image[:, Y0:Y1, X0:X1] * (1 - mm) + patch[:, py0:py1, px0:px1] * mm
        return torch.tensor([[X0, Y0, X1, Y1]])


class PlateletClumps:
    """Platelets in heaps (issue 21, clumps): EDTA-induced clumping, or a slow smear, lays platelets on one
    another, and the shipped detector found 15-17% of the platelets of synthetic clumps on validation fields
    (models/make_clump_sets.py), reading a third of the clumps as a white cell. So `k` copies of the crop's own
    platelets are laid around one point, overlapping at most IoU 0.3, each labelled. Each is laid as the
    light it absorbs (the patch over its own rim colour, only where it is darker than the rim, inside its
    ellipse), so overlapping platelets darken one another as on a slide, and a copy carries no background."""

    def __init__(self, p=0.25, k=(4, 10)):
        self.p, self.k = p, k

    def __call__(self, image, target):
        plt = _platelets_to_copy(self.p, target)
        if plt is None:
            return image, target
        boxes, labels = target["boxes"], target["labels"]
        _, h, w = image.shape
        sizes = ((plt[:, 2] - plt[:, 0]) + (plt[:, 3] - plt[:, 1])) / 2
        d = float(sizes.median())
        k = random.randint(*self.k)
        radius = d * random.uniform(0.6, 1.0) * math.sqrt(k) / 1.4
        wbc = boxes[labels == 2]
        for _try in range(10):  # beside the white cells, not on them
            cx, cy = random.uniform(0.15, 0.85) * w, random.uniform(0.15, 0.85) * h
            if len(wbc) == 0 or not bool(((wbc[:, 0] - radius < cx) & (cx < wbc[:, 2] + radius) & (wbc[:, 1] - radius < cy) & (cy < wbc[:, 3] + radius)).any()):
                break
        else:
            return image, target
        new_boxes = []
        for _ in range(k):
            src = _pick_platelet(plt, w, h)
            if src is None:
                continue
            x1, y1, x2, y2 = src
            m = max(2, (x2 - x1 + y2 - y1) // 8)  # a ring of the platelet's own background around its box
            if x1 < m or y1 < m or x2 + m > w or y2 + m > h:
                continue
            patch = image[:, y1 - m:y2 + m, x1 - m:x2 + m].clone()
            if random.random() < 0.5:
                patch = patch.flip(-1)
            if random.random() < 0.5:
                patch = patch.flip(-2)
            bh, bw = patch.shape[1:]
            rim = torch.cat([patch[:, 0], patch[:, -1], patch[:, :, 0], patch[:, :, -1]], dim=1).median(dim=1).values.clamp_min(0.05)
            t = (patch / rim[:, None, None]).clamp(0, 1)
            a = torch.sigmoid(((1 - t).mean(0) - 0.04) / 0.02) * _soft_ellipse(bh, bw)
            t = 1 - (1 - t) * a
            for _place in range(4):  # on one another, but each still a platelet of its own (IoU <= 0.3)
                ang, rr = random.uniform(0, 2 * math.pi), radius * math.sqrt(random.random())
                nx, ny = int(round(cx + rr * math.cos(ang) - bw / 2)), int(round(cy + rr * math.sin(ang) - bh / 2))
                nb = torch.tensor([[nx + m, ny + m, nx + bw - m, ny + bh - m]], dtype=boxes.dtype)
                inside = nx >= 0 and ny >= 0 and nx + bw <= w and ny + bh <= h
                if inside and not any(float(box_iou(nb, o)) > 0.3 for o in new_boxes):
                    break
            else:
                continue
            image[:, ny:ny + bh, nx:nx + bw] *= t
            new_boxes.append(nb)
        return image, _with_platelets(target, new_boxes)


class EyepieceVignette:
    """A phone held to the eyepiece (issue 23): a circular bright field inside a black ring, often
    off-centre. Cells outside the circle are not visible, so their labels go; a cell cut by the ring
    stays when at least `min_visible` of its box is inside (as complete labels keep border-cut cells)."""

    def __init__(self, p=0.1, radius=(0.35, 0.62), min_visible=0.4):
        self.p, self.radius, self.min_visible = p, radius, min_visible

    def __call__(self, image, target):
        if random.random() >= self.p:
            return image, target
        _, h, w = image.shape
        r = random.uniform(*self.radius) * max(h, w)
        cx = w / 2 + random.uniform(-0.15, 0.15) * w
        cy = h / 2 + random.uniform(-0.15, 0.15) * h
        yy = torch.arange(h, dtype=torch.float32)[:, None] + 0.5
        xx = torch.arange(w, dtype=torch.float32)[None, :] + 0.5
        dist = ((xx - cx) ** 2 + (yy - cy) ** 2).sqrt()
        edge = random.uniform(1.0, 6.0)
        mask = torch.sigmoid((r - dist) / edge)
        dark = random.uniform(0.0, 0.08)
        image = image * mask + dark * (1 - mask)
        b = target["boxes"]
        if len(b):
            # visible share of each box, sampled on a 5x5 grid of points
            t = torch.linspace(0.1, 0.9, 5)
            px = b[:, 0:1] + (b[:, 2:3] - b[:, 0:1]) * t[None, :]
            py = b[:, 1:2] + (b[:, 3:4] - b[:, 1:2]) * t[None, :]
            inside = (((px[:, None, :] - cx) ** 2 + (py[:, :, None] - cy) ** 2) < r * r).float().mean(dim=(1, 2))
            keep = inside >= self.min_visible
            target = {**target, "boxes": b[keep], "labels": target["labels"][keep]}
        return image.clamp_(0, 1), target


class RandomSharpen:
    """Phone cameras sharpen (unsharp mask) and add noise: halos a microscope camera does not make."""

    def __init__(self, p=0.15, amount=(0.3, 1.5)):
        self.p, self.amount = p, amount

    def __call__(self, image, target):
        if random.random() < self.p:
            s = random.uniform(0.8, 2.0)
            k = 2 * math.ceil(2.5 * s) + 1
            blur = TF.gaussian_blur(image, [k, k], [s, s])
            image = (image + random.uniform(*self.amount) * (image - blur)).clamp_(0, 1)
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
    """Everything after the scale and crop. colour: "field" (issue 21; measured, not shipped) keeps colour as
    evidence within a field: HED and casts but no greyscale, plus dust-speck hard negatives, platelet
    copy-paste, phone sharpening and the eyepiece ring; "cast" is issue 15's recipe (greyscale p 0.1, the shipped one);
    "mild" is the earlier stain jitter alone."""
    if colour == "field":
        # Issue 21: colour stays evidence *within* a field. The whole field's cast still varies (white
        # balance gains, hue turns, HED), but no greyscale: a grey field makes a purple platelet and a
        # grey speck of dust the same thing. Dust specks are the hard negatives; copy-paste adds
        # platelets; the eyepiece ring and phone sharpening are issue 23's images.
        pre = [PlateletCopyPaste(), DustSpecks()]
        colour_t = [HedJitter(), ColourCast(p_grey=0.0)]
        tail = [RandomBlur(), RandomNoise(), RandomSharpen(), EyepieceVignette()]
    elif colour in ("dust", "dust-paste"):
        # Issue 21, second try: the shipped recipe (greyscale kept at p 0.1, so casts and grey fields stay
        # covered) with only the hard negatives added: unlabelled grey/brown dust specks, and in
        # "dust-paste" also copied platelets. No sharpening or eyepiece ring.
        pre = ([PlateletCopyPaste(p=0.2)] if colour == "dust-paste" else []) + [DustSpecks()]
        colour_t = [HedJitter(), ColourCast()]
        tail = [RandomBlur(), RandomNoise()]
    elif colour == "clumps":
        # Issue 21, clumps: the shipped recipe plus platelets laid in heaps (PlateletClumps).
        pre = [PlateletClumps()]
        colour_t = [HedJitter(), ColourCast()]
        tail = [RandomBlur(), RandomNoise()]
    elif colour == "variants":
        # Issue 21, third try: the shipped recipe plus platelets as other microscopes show them
        # (PlateletVariants); no hard negatives, no new colour rule.
        pre = [PlateletVariants()]
        colour_t = [HedJitter(), ColourCast()]
        tail = [RandomBlur(), RandomNoise()]
    else:
        pre = []
        colour_t = [HedJitter(), ColourCast()] if colour == "cast" else []
        tail = [RandomBlur(), RandomNoise()]
    return Compose([
        *pre,
        RandomLowRes(p=p_lowres),
        RandomHorizontalFlip(), RandomVerticalFlip(), RandomRot90(),
        *colour_t,
        StainJitter(brightness=0.25, contrast=0.25, saturation=0.35, hue=0.06, p=0.9),
        *tail,
    ])


def multiscale_transforms(crop, ref_size, native=(512, 384), wide=(0.4, 2.5), p_wide=0.5, p_lowres=0.25,
                          colour="cast"):
    return Compose([ScaleCrop(crop, ref_size, native=native, wide=wide, p_wide=p_wide),
                    photometric_transforms(p_lowres, colour)])
