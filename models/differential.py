"""The WBC differential: a small CNN that types a detected white cell, trained from scratch on two
microscopes (PBC's CellaVision DM96 single cells and the CBC images' WBCs), exported to ONNX with its
own card. One resumable command, run from the repository root:

    /usr/bin/python3 -m models.differential            # writes models/smearcount-wbc.{onnx,json}
    /usr/bin/python3 -m models.differential --resume

The crop rule (the card's `crop`, mirrored in src/core/differential/crop.ts): a square centred on the
detector's WBC box, side = 1.4 x the box's longer side, padded with mid grey outside the image, resized
to 64x64; then each channel is divided by its 95th percentile (the brightest plasma/background becomes
1: a per-cell white balance that removes much of a stain and camera shift), clipped to [0, 1.5].
The PBC cells come without boxes: the shipped detector finds them (the same rule for both sources).
"""
import argparse
import csv
import datetime
import json
import math
import random
import time
from pathlib import Path

import torch
import torch.nn.functional as F
import torchvision.transforms.functional as TF
from torch import nn
from torchvision.io import ImageReadMode, decode_jpeg, encode_jpeg, read_image

from .dataset import default_data_root, parse_voc, report_data_errors, require_data
from .engine import describe_machine, load_checkpoint, run_logger, train_one_epoch
from .export import compress_weights, file_facts
from .restore import DEFAULT as RESTORE, restore_card, restore_crop
from .transforms import ColourCast, HedJitter

HERE = Path(__file__).resolve().parent
TYPES = ("neutrophil", "lymphocyte", "monocyte", "eosinophil", "basophil", "immature_granulocyte", "erythroblast")
CODES = {"neutrophil": "NEU", "lymphocyte": "LYM", "monocyte": "MON", "eosinophil": "EOS", "basophil": "BAS",
         "immature_granulocyte": "IG", "erythroblast": "NRBC"}
COLORS = {"neutrophil": "#4c9aff", "lymphocyte": "#36b37e", "monocyte": "#ff8b00", "eosinophil": "#ff5630",
          "basophil": "#6554c0", "immature_granulocyte": "#00b8d9", "erythroblast": "#c1c7d0"}
SIZE = 64
WIDTHS = (16, 32, 64, 128)
CROP_FACTOR = 1.4
PAD = 0.5  # the shipped classifier's rule: mid grey outside the image
# The "wide" recipe (issue 21) replicates the edge instead; the card records which rule a model was trained on.
def pad_for(colour, pad=None):
    """The crop's pad: `pad` ("edge" or "grey") where a run names it, else the recipe's own."""
    if pad is not None:
        return "edge" if pad == "edge" else PAD
    return "edge" if colour == "wide" else PAD
PCT = 0.95


def crop_rect(box, factor=CROP_FACTOR):
    x1, y1, x2, y2 = box
    side = factor * max(x2 - x1, y2 - y1)
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    return cx - side / 2, cy - side / 2, side


def crop_cell(image, box, size=SIZE, factor=CROP_FACTOR):
    """image: float [3,H,W] in [0,1]; returns the normalised [3,size,size] input (see module doc)."""
    return normalise(crop_raw(image, box, size, factor))


def crop_raw(image, box, size=SIZE, factor=CROP_FACTOR, pad=PAD):
    """The resized crop before normalisation. Outside the image the edge pixels are replicated (pad
    "edge", issue 21): a grey pad became a thick false-colour frame after the per-channel white balance
    on a warm microscope (its blue channel divided by a small percentile), a frame PBC's large images
    never showed in training. A number pads with that grey (the rule before)."""
    h, w = image.shape[-2:]
    x0, y0, side = crop_rect(box, factor)
    s = max(1, round(side))
    xi, yi = round(x0), round(y0)
    if pad == "edge":
        xs = torch.arange(xi, xi + s).clamp(0, w - 1)
        ys = torch.arange(yi, yi + s).clamp(0, h - 1)
        canvas = image[:, ys][:, :, xs]
    else:
        canvas = torch.full((3, s, s), float(pad))
        sx0, sy0 = max(0, xi), max(0, yi)
        sx1, sy1 = min(w, xi + s), min(h, yi + s)
        if sx1 > sx0 and sy1 > sy0:
            canvas[:, sy0 - yi:sy1 - yi, sx0 - xi:sx1 - xi] = image[:, sy0:sy1, sx0:sx1]
    return F.interpolate(canvas[None], size=(size, size), mode="bilinear", align_corners=False, antialias=s > size)[0]


def normalise(x):
    """Per-channel white balance: divide by the 95th percentile, clip to [0, 1.5]."""
    flat = x.reshape(3, -1)
    k = max(1, int(round(PCT * (flat.shape[1] - 1))))
    p = flat.sort(dim=1).values[:, k].clamp(min=0.05)
    return (x / p[:, None, None]).clamp(0, 1.5)


class MixStyle(nn.Module):
    """MixStyle (Zhou et al., ICLR 2021): in training, with probability p, each sample's per-channel feature
    mean and spread are mixed with another sample's (lambda ~ Beta(alpha, alpha)), so the layers after it
    learn from "styles" (stain, camera) that no training image had. The identity at inference and in the
    exported graph."""

    def __init__(self, p=0.5, alpha=0.1, eps=1e-6):
        super().__init__()
        self.p, self.alpha, self.eps = p, alpha, eps

    def forward(self, x):
        if not self.training or self.p <= 0 or x.shape[0] < 2 or random.random() >= self.p:
            return x
        mu = x.mean(dim=(2, 3), keepdim=True)
        sig = (x.var(dim=(2, 3), keepdim=True) + self.eps).sqrt()
        mu, sig = mu.detach(), sig.detach()
        xn = (x - mu) / sig
        lam = torch.distributions.Beta(self.alpha, self.alpha).sample((x.shape[0], 1, 1, 1)).to(x)
        perm = torch.randperm(x.shape[0])
        return xn * (lam * sig + (1 - lam) * sig[perm]) + lam * mu + (1 - lam) * mu[perm]


def norm_layer(kind, c):
    """bn: BatchNorm (shipped); gn: GroupNorm, 8 channels a group, no batch statistics to carry from one
    microscope to the next (Tsutsui et al., ICASSP 2023: BN hurts cross-dataset WBC typing)."""
    return nn.BatchNorm2d(c) if kind == "bn" else nn.GroupNorm(max(1, c // 8), c)


class WbcNet(nn.Module):
    """~0.24 M parameters: four conv stages (BN or GN, ReLU, max-pool), global average pool, linear;
    optional MixStyle after the first two stages (training only)."""

    def __init__(self, n=len(TYPES), widths=WIDTHS, input_norm="crop", norm="bn", mixstyle=0.0):
        super().__init__()
        self.input_norm = input_norm
        layers, c = [], 3
        for k, wdt in enumerate(widths):
            layers += [nn.Conv2d(c, wdt, 3, padding=1, bias=False), norm_layer(norm, wdt), nn.ReLU(inplace=True),
                       nn.Conv2d(wdt, wdt, 3, padding=1, bias=False), norm_layer(norm, wdt), nn.ReLU(inplace=True),
                       nn.MaxPool2d(2)]
            if mixstyle > 0 and k < 2:
                layers.append(MixStyle(p=mixstyle))
            c = wdt
        self.features = nn.Sequential(*layers)
        self.head = nn.Linear(c, n)

    def embed(self, x):
        # input: the normalised crop in [0, 1.5]; the graph owns the rest of the contract.
        if self.input_norm == "crop":
            # each crop standardised by its own per-channel mean and spread: stain intensity and contrast
            # of another microscope become a gain and an offset the network never sees
            m = x.mean(dim=(2, 3), keepdim=True)
            x = (x - m) / (((x - m) ** 2).mean(dim=(2, 3), keepdim=True).sqrt() + 1e-3)
        else:
            x = (x - 0.75) / 0.35
        return self.features(x).mean(dim=(2, 3))

    def forward(self, x):
        return self.head(self.embed(x))


class WithEmbedding(nn.Module):
    """The exported graph: logits and the pooled features the head reads (`embedding`), which the app
    uses to adapt the classifier to a lab's microscope from the technician's verified cells."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        e = self.net.embed(x)
        return self.net.head(e), e


# ---------------------------------------------------------------------------------------------------
# Data: (image path, box, type index, source, group)


BOXES = HERE / "pbc-boxes.json"


def find_pbc_boxes(root, cache=BOXES, log=print, rebuild=False):
    """The detector's WBC box for each PBC single-cell image (the one nearest the centre; the central
    40% of the image when it finds none), keyed 'pbc-wbc/<type>/<file>'.

    The boxes come from the shipped ONNX detector through the app's own eval CLI on onnxruntime-node
    (`npm run eval -- <root>/pbc-wbc --boxes out.json`), so both microscopes' cells are framed by the
    app's rule and no PyTorch checkpoint is needed. They are committed (models/pbc-boxes.json, ~0.2 MB)
    with the sha256 of the detector that found them; a different shipped detector rebuilds them."""
    import subprocess
    det_sha = json.loads((HERE / "smearcount-frcnn.json").read_text())["sha256"]
    if cache.is_file():
        c = json.loads(cache.read_text())
        made_by = c.get("detector", {}).get("sha256", "?")
        if not rebuild or made_by == det_sha:
            if made_by != det_sha:
                log(f"[boxes] {cache} was made by detector {made_by[:12]}, not the shipped one; kept "
                    "(--rebuild-boxes finds them again)")
            return c["boxes"]
        log(f"[boxes] {cache} was made by another detector ({made_by[:12]}); rebuilding")
    tmp = cache.with_suffix(".tmp.json")
    cmd = ["npx", "tsx", "scripts/eval.ts", str(Path(root) / "pbc-wbc"), "--boxes", str(tmp)]
    log(f"[boxes] {' '.join(cmd)} (about 2 minutes on 2 cores)")
    subprocess.run(cmd, cwd=HERE.parent, check=True, stdout=subprocess.DEVNULL)
    c = json.loads(tmp.read_text())
    out = {"detector": c["detector"], "boxes": {f"pbc-wbc/{k}": v for k, v in sorted(c["boxes"].items())}}
    cache.write_text(json.dumps(out, separators=(",", ":")) + "\n")
    tmp.unlink()
    return out["boxes"]


def load_items(root, log, rebuild=False):
    root = Path(root)
    require_data(root, "pbc-wbc", "txl-pbc/cbc-training-copies.csv", "cbc-wbc-types/Training.csv")
    boxes = find_pbc_boxes(root, log=log, rebuild=rebuild)
    items = []
    for t, name in enumerate(TYPES):
        for f in sorted((root / "pbc-wbc" / name).glob("*.jpg")):
            items.append({"image": f, "box": boxes[str(f.relative_to(root))], "type": t, "source": "pbc", "group": f.stem})
    copies = {}
    with open(root / "txl-pbc" / "cbc-training-copies.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["source"] == "bccd" and row["cbc_training_image"]:
                copies[Path(row["cbc_training_image"]).stem] = Path(row["file"]).stem
    with open(root / "cbc-wbc-types" / "Training.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            stem = Path(row["image"]).stem
            # complete labels when txl-pbc relabelled the image, else CBC's own
            xml = (root / "txl-pbc" / "bccd" / "Annotations" / f"{copies[stem]}.xml" if stem in copies
                   else root / "cbc" / "Training" / "Annotations" / f"{stem}.xml")
            img = (root / "txl-pbc" / "bccd" / "Images" / f"{copies[stem]}.jpg" if stem in copies
                   else root / "cbc" / "Training" / "Images" / f"{stem}.jpg")
            if not xml.is_file() or row["wbc_type"] not in TYPES:
                continue
            _, w, h, b, l, _ = parse_voc(xml)
            wbc = [bb for bb, ll in zip(b, l) if ll == 2]
            if len(wbc) != 1:  # the type belongs to "the" WBC: skip images with none or several
                continue
            items.append({"image": img, "box": wbc[0], "type": TYPES.index(row["wbc_type"]), "source": "cbc",
                          "group": stem})
    return items


def split(items, seed, test_frac=0.15, val_frac=0.15):
    """PBC: train / val / test per type (test is never tuned on). CBC: train / val by image."""
    rng = random.Random(seed)
    out = {"train": [], "val": [], "test": []}
    for src in ("pbc", "cbc"):
        for t in range(len(TYPES)):
            group = [it for it in items if it["source"] == src and it["type"] == t]
            rng.shuffle(group)
            n = len(group)
            n_test = int(round(n * test_frac)) if src == "pbc" else 0
            n_val = int(round(n * (val_frac if src == "pbc" else 0.25)))
            out["test"] += group[:n_test]
            out["val"] += group[n_test:n_test + n_val]
            out["train"] += group[n_test + n_val:]
    return out


def unseen_camera(x, k, side=None):
    """The synthetic "unseen camera" set (issue 21): three cameras outside everything training draws,
    cycled by cell index so the set is fixed. (0) a magenta cast with a steep gamma; (1) a deeper warm
    cast than any training cast, defocused past training's blur; (2) a green-cyan cast, a 3.5x resolution
    loss and JPEG quality 20. side: the cell's crop side in x's pixels (default x's own side, x being the
    crop); a whole single-cell image passes its crop's side, so the blur stays relative to the cell."""
    cam = k % 3
    if cam == 0:
        return (x * torch.tensor([1.15, 0.8, 1.1])[:, None, None]).clamp(1e-4, 1) ** 1.5
    if cam == 1:
        x = (x * torch.tensor([1.1, 0.72, 0.38])[:, None, None]).clamp(0, 1)
        # a defocus is a blur relative to the cell: 2.4 px at the 64-px crop, scaled with the crop's side
        s = 2.4 * (side or x.shape[-1]) / SIZE
        k = 2 * math.ceil(2.9 * s) + 1  # 15 at 64 px, as the set was first made
        return TF.gaussian_blur(x, [k, k], [s, s])
    x = (x * torch.tensor([0.75, 1.05, 1.0])[:, None, None]).clamp(0, 1)
    x = F.interpolate(F.interpolate(x[None], scale_factor=1 / 3.5, mode="bilinear", antialias=True),
                      size=tuple(x.shape[-2:]), mode="bilinear")[0].clamp(0, 1)
    return decode_jpeg(encode_jpeg((x * 255).round().to(torch.uint8), quality=20)).float() / 255


class Crops(torch.utils.data.Dataset):
    def __init__(self, items, train, colour="cast", view=None, pad=None, size=SIZE, defocus=None, blur_pair=None,
                 restore=None, framing=False):
        self.items, self.train, self.colour, self.view, self.pad = items, train, colour, view, pad_for(colour, pad)
        # training only: the framings other microscopes give (cut by the image border, or a single-cell image
        # the cell fills: cut_by_border), with any colour recipe ("wide" always has them)
        self.framing = framing or colour == "wide"
        self.size = size
        # the app's restoration of soft crops (models/restore.py, the card's crop.restore), applied to every
        # crop after the camera's changes as the app applies it after the microscope's: so a net trained with
        # it sees restored crops, ringing and amplified grain included, where the app will show it them
        self.restore = restore
        # training only: also return the same crop defocused by sigma up to blur_pair (64-px crop pixels), for
        # the consistency loss (blur_pair_losses): the net learns to read a soft cell as its sharp twin
        self.blur_pair = blur_pair if train else None
        # the largest defocus sigma drawn in training, in 64-px crop pixels (recipe default: 1.2; "wide" 2.0)
        self.defocus = defocus if defocus is not None else (2.0 if colour == "wide" else 1.2)

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        it = self.items[i]
        img = read_image(str(it["image"]), ImageReadMode.RGB).float() / 255
        box = list(it["box"])
        factor = CROP_FACTOR
        if self.train:
            # scale and framing jitter: a detector's box is never exact, magnifications differ
            w, h = box[2] - box[0], box[3] - box[1]
            dx, dy = random.uniform(-0.08, 0.08) * w, random.uniform(-0.08, 0.08) * h
            box = [box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy]
            factor *= math.exp(random.uniform(math.log(0.85), math.log(1.2)))
        if self.train and self.framing:
            img, box = cut_by_border(img, box)
        x = crop_raw(img, box, size=self.size, factor=factor, pad=self.pad)
        if self.view is not None:
            x = self.view(x, i)
        if self.train:
            # stain, focus and camera changes, on the crop (cheap at 64x64)
            x = stain(x, self.colour)
            if random.random() < 0.3:  # a camera's JPEG (CBC's are soft, blocky 640x480 JPEGs)
                q = random.randint(30, 85)
                x = decode_jpeg(encode_jpeg((x.clamp(0, 1) * 255).round().to(torch.uint8), quality=q)).float() / 255
            if random.random() < 0.4:  # defocus, up to the Motic's soft focus
                # sigma in 64-px crop pixels, scaled with the crop's side (a blur relative to the cell)
                s = random.uniform(0.3, self.defocus) * self.size / SIZE
                k = 2 * math.ceil(2.5 * s) + 1
                x = TF.gaussian_blur(x, [k, k], [s, s])
            if random.random() < 0.3:  # resolution loss (a lower-magnification camera)
                f = random.uniform(1.5, 3.0)
                x = F.interpolate(F.interpolate(x[None], scale_factor=1 / f, mode="bilinear", antialias=True),
                                  size=(self.size, self.size), mode="bilinear")[0].clamp(0, 1)
        if self.restore:
            x = torch.from_numpy(restore_crop(x.clamp(0, 1).numpy().astype("float32"), self.restore)[0].copy())
        xb = None
        if self.blur_pair:
            s = random.uniform(0.5 * self.blur_pair, self.blur_pair) * self.size / SIZE
            k = 2 * math.ceil(2.5 * s) + 1
            xb = normalise(TF.gaussian_blur(x, [k, k], [s, s]))
        x = normalise(x)
        if self.train:
            turns, flip, noise = random.randrange(4), random.random() < 0.5, random.uniform(0, 0.03)

            def finish(v):
                v = torch.rot90(v, turns, dims=(1, 2))
                return ((v.flip(2) if flip else v) + torch.randn_like(v) * noise).clamp(0, 1.5)
            x = finish(x)
            if xb is not None:
                return x, finish(xb), it["type"]
        return x, it["type"]


def cut_by_border(img, box, p_cut=0.25, p_tight=0.15):
    """What other microscopes frame: a WBC cut by the image border (p_cut: the image ends 10-45% of the
    way into the cell on one side), or a single-cell image the cell fills (p_tight: the image ends 0-12%
    outside the box on every side, as the Motic camera's 120-px crops). The crop rule then replicates the
    edge, as the app does."""
    _, h, w = img.shape
    x1, y1, x2, y2 = box
    bw, bh = x2 - x1, y2 - y1
    r = random.random()
    if r < p_cut:
        u = random.uniform(0.1, 0.45)
        side = random.randrange(4)
        if side == 0:
            img = img[:, :, max(0, int(x1 + u * bw)):]
            off = max(0, int(x1 + u * bw))
            box = [x1 - off, y1, x2 - off, y2]
        elif side == 1:
            img = img[:, :, :max(1, int(x2 - u * bw))]
        elif side == 2:
            off = max(0, int(y1 + u * bh))
            img = img[:, off:, :]
            box = [x1, y1 - off, x2, y2 - off]
        else:
            img = img[:, :max(1, int(y2 - u * bh)), :]
    elif r < p_cut + p_tight:
        m = [random.uniform(0, 0.12) for _ in range(4)]
        ax0, ay0 = max(0, int(x1 - m[0] * bw)), max(0, int(y1 - m[1] * bh))
        ax1, ay1 = min(w, int(x2 + m[2] * bw) + 1), min(h, int(y2 + m[3] * bh) + 1)
        if ax1 - ax0 > 4 and ay1 - ay0 > 4:
            img = img[:, ay0:ay1, ax0:ax1]
            box = [x1 - ax0, y1 - ay0, x2 - ax0, y2 - ay0]
    return img, box


def camera_cast(img, p=0.45, strength=(0.1, 0.5)):
    """A camera or lamp cast beyond the white balance jitter: warm (yellow-brown, the Motic microscope's),
    or cool (pale blue), with a gamma, since cheap cameras apply their own curve."""
    if random.random() >= p:
        return img
    t = random.uniform(*strength)
    if random.random() < 0.6:  # warm: blue falls most, green a little, red holds or rises
        g = torch.tensor([1 + random.uniform(0, 0.15), 1 - 0.35 * t, 1 - t])
    else:  # cool
        g = torch.tensor([1 - 0.7 * t, 1 - 0.2 * t, 1 + random.uniform(0, 0.15)])
    img = (img * g[:, None, None]).clamp(1e-4, 1)
    return img ** random.uniform(0.7, 1.4)


def stain(img, colour="wide"):
    """Strong stain and camera jitter: hue, saturation, contrast, brightness, per-channel gamma.
    colour "cast" adds what another microscope does (issue 15: a PBC-only model typed 10% of the CBC
    microscope's cells right): HED stain jitter, per-channel gains (white balance), a moderate hue
    turn now and then, and greyscale."""
    if colour == "cast":
        img, _ = HedJitter(sigma=0.15, bias=0.02, p=0.5)(img, None)
        img, _ = ColourCast(gains=(0.75, 1.25), hue=0.12, p_hue=0.3, p_grey=0.05, p=0.7)(img, None)
    elif colour == "wide":
        # issue 21: a Motic microscope's strong yellow-brown cast typed 132 of 176 neutrophils eosinophil.
        # Casts as strong as that, both ways, and no greyscale (granule colour is evidence).
        img, _ = HedJitter(sigma=0.2, bias=0.03, p=0.5)(img, None)
        img, _ = ColourCast(gains=(0.7, 1.3), hue=0.12, p_hue=0.3, p_grey=0.0, p=0.7)(img, None)
        img = camera_cast(img)
    # Mild on hue otherwise: granule colour is what tells an eosinophil (orange-red) from a basophil (purple).
    img = TF.adjust_hue(img, random.uniform(-0.04, 0.04))
    img = TF.adjust_saturation(img, random.uniform(0.65, 1.35))
    img = TF.adjust_contrast(img, random.uniform(0.75, 1.25))
    img = TF.adjust_brightness(img, random.uniform(0.8, 1.2))
    g = torch.tensor([random.uniform(0.85, 1.15) for _ in range(3)])[:, None, None]
    return img.clamp(1e-4, 1) ** g


def classifier_losses(model, batch, device):
    x, y = batch
    return {"loss_ce": F.cross_entropy(model(x.to(device)), y.to(device), label_smoothing=0.05)}


def blur_pair_losses(weight=4.0):
    """Each crop beside its defocused twin (Crops(blur_pair=...)): both views' cross-entropy, plus the
    Jensen-Shannon divergence between their predictions (AugMix's consistency, Hendrycks et al. 2020), so the
    net reads a soft cell as it reads the sharp one rather than merely having seen blur."""
    def losses(model, batch, device):
        x, xb, y = batch
        la, lb = model(torch.cat([x, xb]).to(device)).chunk(2)
        y = y.to(device)
        pa, pb = F.softmax(la, dim=1), F.softmax(lb, dim=1)
        m = ((pa + pb) / 2).clamp(1e-7, 1).log()
        js = (F.kl_div(m, pa, reduction="batchmean") + F.kl_div(m, pb, reduction="batchmean")) / 2
        return {"loss_ce": (F.cross_entropy(la, y, label_smoothing=0.05) + F.cross_entropy(lb, y, label_smoothing=0.05)) / 2,
                "loss_js": weight * js}
    return losses


def distillation_losses(teacher, alpha=0.5, temperature=2.0):
    """Knowledge distillation (Hinton et al. 2015): the labels' cross-entropy, plus the KL divergence to a
    teacher's softened probabilities on the same augmented crops (weight alpha, scaled by T^2). One net
    then types as an ensemble of several does, at one net's cost in the app."""
    teacher.eval()

    def losses(model, batch, device):
        x, y = batch
        x = x.to(device)
        with torch.no_grad():
            t = F.log_softmax(teacher(x) / temperature, dim=1)
        s = model(x)
        kd = F.kl_div(F.log_softmax(s / temperature, dim=1), t, log_target=True, reduction="batchmean")
        return {"loss_ce": (1 - alpha) * F.cross_entropy(s, y.to(device), label_smoothing=0.05),
                "loss_kd": alpha * temperature ** 2 * kd}
    return losses


def metrics(model, items, batch=64, view=None, colour="cast", pad=None, size=SIZE, restore=None):
    """colour (and pad, where the run named one): the training recipe, which fixes the crop rule (pad_for);
    size: the net's input side; restore: the card's crop.restore, where the run trained with it."""
    model.eval()
    ds = Crops(items, train=False, colour=colour, view=view, pad=pad, size=size, restore=restore)
    preds, trues, probs = [], [], []
    device = next(model.parameters()).device
    with torch.no_grad():
        for k in range(0, len(ds), batch):
            xs, ys = zip(*[ds[i] for i in range(k, min(len(ds), k + batch))])
            p = F.softmax(model(torch.stack(xs).to(device)), dim=1).cpu()
            probs.append(p)
            preds += p.argmax(1).tolist()
            trues += list(ys)
    n = len(TYPES)
    conf = [[0] * n for _ in range(n)]
    for t, p in zip(trues, preds):
        conf[t][p] += 1
    recall = {TYPES[t]: (conf[t][t] / sum(conf[t])) if sum(conf[t]) else None for t in range(n)}
    present = [r for r in recall.values() if r is not None]
    return {"images": len(trues), "accuracy": sum(int(a == b) for a, b in zip(trues, preds)) / max(1, len(trues)),
            "balanced_accuracy": sum(present) / max(1, len(present)), "recall": recall, "confusion": conf,
            "classes": list(TYPES)}


def card_sets(model, sp, colour, pad=None, log=print, size=SIZE, restore=None):
    """The card's figures on a split: PBC test and validation, CBC validation, and the synthetic unseen cameras."""
    kw = {"colour": colour, "pad": pad, "size": size, "restore": restore}
    res = {
        "pbc_test": metrics(model, sp["test"], **kw),
        "pbc_val": metrics(model, [it for it in sp["val"] if it["source"] == "pbc"], **kw),
        "cbc_val": metrics(model, [it for it in sp["val"] if it["source"] == "cbc"], **kw),
        # held-out cells of both microscopes through cameras training never simulates
        "unseen_camera": metrics(model, sp["test"] + [it for it in sp["val"] if it["source"] == "cbc"],
                                 view=unseen_camera, **kw),
    }
    for k, v in res.items():
        log(f"[eval] {k}: accuracy {v['accuracy']:.3f} balanced {v['balanced_accuracy']:.3f} recall "
            + " ".join(f"{CODES[t]}={r:.2f}" if r is not None else f"{CODES[t]}=-" for t, r in v["recall"].items()))
    return res


def export(model, path, size=SIZE):
    model.eval()
    tmp = path.with_suffix(".fp32.onnx")
    # the wrapper in eval mode too: export restores the mode it finds, and a fresh module is in training mode
    torch.onnx.export(WithEmbedding(model).eval(), (torch.rand(1, 3, size, size),), str(tmp), opset_version=11,
                      input_names=["crops"], output_names=["logits", "embedding"],
                      dynamic_axes={"crops": {0: "N"}, "logits": {0: "N"}, "embedding": {0: "N"}})
    compress_weights(tmp, path)
    tmp.unlink()


def head_only(model, losses_fn):
    """Classifier re-training (Kang et al., ICLR 2020): the features and their BatchNorm statistics frozen,
    only the last layer learns, here on another sampling of the sources. Returns the losses to train with."""
    for q in model.features.parameters():
        q.requires_grad_(False)

    def losses(m, batch, dev):
        m.features.eval()  # train_one_epoch sets train mode; frozen features keep their statistics
        return losses_fn(m, batch, dev)
    return losses


def get_args_parser():
    p = argparse.ArgumentParser(description="Train the WBC differential classifier from scratch")
    p.add_argument("--data", default=str(default_data_root()))
    p.add_argument("--name", default="smearcount-wbc")
    p.add_argument("--out-dir", default=str(HERE))
    p.add_argument("--run-dir", default=str(HERE / "runs"))
    p.add_argument("--epochs", type=int, default=40, help="the shipped classifier's 40 (20 before 2026-12-04)")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--cbc-weight", type=float, default=4.0, help="oversampling of the CBC microscope's cells")
    p.add_argument("--no-cbc", action="store_true", help="train on PBC only (leave the CBC microscope out)")
    p.add_argument("--no-pbc", action="store_true", help="train on CBC only (leave the PBC microscope out)")
    p.add_argument("--input-norm", choices=["crop", "fixed"], default="crop",
                   help="in the graph: standardise each crop by its own statistics, or fixed centring")
    p.add_argument("--colour", choices=["cast", "wide", "mild"], default="cast",
                   help="recipe: cast = the shipped one (issue 15: HED + colour casts + JPEG, grey pad); wide = issue "
                        "21's (warm/cool camera casts with gamma, no greyscale, stronger defocus, WBCs cut by the border "
                        "and filling the frame, the crop's edge replicated; measured, not shipped); mild = the earlier jitter")
    p.add_argument("--pad", choices=["edge", "grey"], default=None,
                   help="the crop's pad outside the image (default: the recipe's, edge for wide, grey otherwise)")
    p.add_argument("--framing", action="store_true",
                   help="train on the framings of other microscopes (WBCs cut by the image border, single-cell images "
                        "the cell fills, as the Motic camera's 120-px crops), with any recipe; use with --pad edge")
    p.add_argument("--rebuild-boxes", action="store_true",
                   help="find the PBC cells' boxes again with the shipped detector (default: the committed "
                        "models/pbc-boxes.json, whichever detector made it, so a run is reproducible)")
    p.add_argument("--defocus", type=float, default=None,
                   help="largest defocus blur drawn in training, sigma in 64-px crop pixels (default: the recipe's, "
                        "1.2; 2.0 for --colour wide)")
    p.add_argument("--blur-pair", type=float, default=None,
                   help="train each crop beside a twin defocused by sigma up to this (64-px crop pixels), with a "
                        "consistency loss between their predictions (blur_pair_losses); off by default")
    p.add_argument("--blur-weight", type=float, default=4.0, help="weight of that consistency loss")
    p.add_argument("--restore", action="store_true",
                   help="train (and measure) on crops as the app gives them: a crop softer than the card's "
                        "crop.restore sigma is restored first (models/restore.py); the card gets that crop.restore")
    p.add_argument("--norm", choices=["bn", "gn"], default="bn", help="normalisation layers: BatchNorm or GroupNorm")
    p.add_argument("--mixstyle", type=float, default=0.0, help="MixStyle probability after stages 1-2 (0: off)")
    p.add_argument("--size", type=int, default=SIZE, help="the crop's side in pixels, the net's input (card crop.size)")
    p.add_argument("--widths", type=int, nargs="+", default=list(WIDTHS),
                   help="channels of each conv stage (each stage halves the resolution)")
    p.add_argument("--teacher", nargs="+", default=None,
                   help="distil from these classifiers' mean (run folders or .onnx with a card; models/wbc_ensemble.py)")
    p.add_argument("--seed", type=int, default=42, help="initialisation, sampling and augmentation")
    p.add_argument("--split-seed", type=int, default=42,
                   help="the train/val/test split (models/wbc-split is seed 42): keep it when only --seed changes")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--max-iters", type=int, default=None)
    p.add_argument("--resume", action="store_true")
    p.add_argument("--init-from", default=None, help="start from this run's checkpoint.pth (fresh optimizer and schedule)")
    p.add_argument("--head-only", action="store_true", help="with --init-from: retrain only the last layer, the "
                   "features and their BatchNorm statistics frozen (classifier re-training on another sampling)")
    p.add_argument("--device", default="cpu", help="where training runs (cuda on a lent GPU); the card's figures and "
                   "the export run on the CPU")
    return p


def main(args):
    torch.set_num_threads(args.threads)
    random.seed(args.seed)
    torch.manual_seed(args.seed)
    run_dir = Path(args.run_dir) / args.name
    log = run_logger(run_dir)

    log(f"[run] {datetime.datetime.now().isoformat(timespec='seconds')} args={vars(args)}")
    items = load_items(args.data, log, rebuild=args.rebuild_boxes)
    sp = split(items, args.split_seed)
    left_out = {"cbc"} if args.no_cbc else {"pbc"} if args.no_pbc else set()
    restore = dict(RESTORE) if getattr(args, "restore", False) else None
    train_items = [it for it in sp["train"] if it["source"] not in left_out]
    log(f"[data] train {len(train_items)} val {len(sp['val'])} test {len(sp['test'])}")
    weights = [args.cbc_weight if it["source"] == "cbc" else 1.0 for it in train_items]
    # balance the types within each source
    for src in ("pbc", "cbc"):
        for t in range(len(TYPES)):
            idx = [i for i, it in enumerate(train_items) if it["source"] == src and it["type"] == t]
            for i in idx:
                weights[i] /= max(1, len(idx)) ** 0.5
    sampler = torch.utils.data.WeightedRandomSampler(weights, num_samples=len(train_items), replacement=True,
                                                     generator=torch.Generator().manual_seed(args.seed))
    loader = torch.utils.data.DataLoader(Crops(train_items, True, args.colour, pad=args.pad, size=args.size,
                                                       framing=getattr(args, "framing", False),
                                                       defocus=getattr(args, "defocus", None), blur_pair=getattr(args, "blur_pair", None),
                                                       restore=restore),
                                         batch_size=args.batch_size, sampler=sampler,
                                         num_workers=args.workers, drop_last=True)
    device = torch.device(args.device)
    model = WbcNet(widths=tuple(args.widths), input_norm=args.input_norm, norm=args.norm, mixstyle=args.mixstyle)
    losses_fn = blur_pair_losses(args.blur_weight) if getattr(args, "blur_pair", None) else classifier_losses
    if args.teacher and getattr(args, "blur_pair", None):
        raise SystemExit("--blur-pair and --teacher are not combined")
    if args.teacher:
        from .wbc_ensemble import build
        teacher, members, teacher_split = build(args.teacher)
        teacher.to(device)
        if teacher_split != args.split_seed:
            raise SystemExit(f"the teacher was split with seed {teacher_split}, this run with {args.split_seed}")
        losses_fn = distillation_losses(teacher)
        log(f"[teacher] {len(members)} classifiers: {', '.join(str(t) for t in args.teacher)}")
    if args.init_from:
        model.load_state_dict(load_checkpoint(args.init_from)["model"])
        log(f"[init] weights from {args.init_from}")
    if args.head_only:
        if not args.init_from:
            raise SystemExit("--head-only retrains the last layer of a trained classifier: give --init-from")
        losses_fn = head_only(model, losses_fn)
    model.to(device)
    opt = torch.optim.AdamW([q for q in model.parameters() if q.requires_grad], lr=args.lr, weight_decay=0.02)
    total = args.epochs * min(len(loader), args.max_iters or len(loader))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=max(2, total), pct_start=0.15)
    start, elapsed = 0, 0.0
    machine = describe_machine(args)
    ckpt = run_dir / "checkpoint.pth"
    if args.resume and ckpt.is_file():
        c = load_checkpoint(ckpt)
        model.load_state_dict(c["model"])
        opt.load_state_dict(c["opt"])
        sched.load_state_dict(c["sched"])
        start, elapsed = c["epoch"] + 1, c["elapsed"]
        machine = c.get("machine", machine)
        if "torch_rng" in c:
            torch.set_rng_state(c["torch_rng"])
            random.setstate(c["py_rng"])
        log(f"[resume] from epoch {start}")
    for epoch in range(start, args.epochs):
        avg, dt = train_one_epoch(model, opt, sched, loader, epoch, args.epochs, log=log, print_freq=50,
                                  max_iters=args.max_iters, device=device, losses_fn=losses_fn)
        elapsed += dt
        msg = f"[epoch {epoch + 1}/{args.epochs}] loss={avg.get('loss', float('nan')):.4f} time={dt:.0f}s total={elapsed:.0f}s"
        if (epoch + 1) % 5 == 0 or epoch + 1 == args.epochs:
            v = metrics(model, [it for it in sp["val"] if it["source"] == "pbc"], colour=args.colour, pad=args.pad,
                        size=args.size, restore=restore)
            vc = metrics(model, [it for it in sp["val"] if it["source"] == "cbc"], colour=args.colour, pad=args.pad,
                         size=args.size, restore=restore)
            msg += f" val-pbc bal.acc={v['balanced_accuracy']:.3f} val-cbc acc={vc['accuracy']:.3f}"
        log(msg)
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(), "epoch": epoch,
                    "elapsed": elapsed, "args": vars(args), "machine": machine, "torch_rng": torch.get_rng_state(),
                    "py_rng": random.getstate()}, ckpt)
    model.cpu()
    res = card_sets(model, sp, args.colour, args.pad, log, size=args.size, restore=restore)
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    onnx_path = out / f"{args.name}.onnx"
    export(model, onnx_path, args.size)
    card = {
        "name": args.name, **file_facts(onnx_path),
        "task": "WBC type of one detected white cell",
        "parameters": sum(p.numel() for p in model.parameters()),
        "classes": [{"index": i, "name": t, "code": CODES[t], "color": COLORS[t]} for i, t in enumerate(TYPES)],
        "input": {"name": "crops", "dtype": "float32", "shape": ["N", 3, args.size, args.size], "color": "RGB",
                  "normalisation": ("in the graph: each crop standardised by its own per-channel mean and "
                                    "standard deviation, (x - mean) / (std + 0.001)" if args.input_norm == "crop"
                                    else "in the graph: (x - 0.75) / 0.35")},
        "output": {"name": "logits", "shape": ["N", len(TYPES)], "note": "softmax gives the type probabilities"},
        "embedding": {"name": "embedding", "shape": ["N", model.head.in_features],
                      "note": "the pooled features the last layer (Gemm) reads: for on-device adaptation to a new "
                              "microscope (not normalised)"},
        "crop": {"rule": "square centred on the WBC box, side = factor x max(box width, box height); outside the "
                         "image: pad; resized to size x size; each channel divided by its percentile value, "
                         "clipped to [0, clip]",
                 "factor": CROP_FACTOR, "size": args.size, "pad": pad_for(args.colour, args.pad), "percentile": PCT, "clip": 1.5,
                 **({"restore": restore_card(restore)} if restore else {})},
        "low_confidence": 0.6,
        "training": {"data": {"pbc-wbc": "400 per type, split 70/15/15 (train/val/test, seeded)",
                              "cbc-wbc-types": "CBC Training images with exactly one WBC box, split 75/25 "
                                               + ("(not trained on: --no-cbc)" if args.no_cbc else "")},
                     "left_out": sorted(left_out), "boxes": {"file": "models/pbc-boxes.json", "detector_sha256": json.loads(BOXES.read_text())["detector"]["sha256"]},
                     "augmentation": "box jitter, crop scale 0.85-1.2, "
                                     + ("framing (cut by the image border p 0.25, the cell filling the image p 0.15), "
                                        if getattr(args, "framing", False) or args.colour == "wide" else "")
                                     + ("HED stain jitter, colour casts (gains 0.75-1.25, hue +-0.12 p 0.3, grey p 0.05), "
                                        "JPEG q 30-85 p 0.3, " if args.colour == "cast" else "")
                                     + "mild hue, saturation, contrast, brightness, gamma, blur, resolution loss, "
                                       "rotations, flips, noise",
                     "defocus_max_sigma": Crops([], True, args.colour, defocus=getattr(args, "defocus", None)).defocus,
                     **({"blur_pair": {"max_sigma": args.blur_pair, "weight": args.blur_weight,
                                       "note": "each crop beside a twin defocused by sigma in [max/2, max], both "
                                               "cross-entropies plus weight x their Jensen-Shannon divergence"}}
                        if getattr(args, "blur_pair", None) else {}),
                     **({"restore_in_training": "every crop, after the camera's changes and before the white "
                                                "balance, through the app's restoration (models/restore.py)"}
                        if restore else {}),
                     "widths": list(args.widths),
                     "norm": {"bn": "BatchNorm", "gn": "GroupNorm (8 channels a group)"}[args.norm],
                     "mixstyle": args.mixstyle,
                     "train_items": len(train_items), "epochs": args.epochs, "wall_time_s": round(elapsed, 1),
                     "machine": machine,
                     "from_scratch": not args.init_from, "seed": args.seed,
                     **({"init_from": str(args.init_from), "head_only": args.head_only} if args.init_from else {}), "split_seed": args.split_seed,
                     **({"distilled_from": {"members": [str(t) for t in args.teacher], "alpha": 0.5, "temperature": 2.0,
                                            "note": "models/wbc_ensemble.py's mean of these classifiers"}}
                        if args.teacher else {})},
        "metrics": res,
        "created": datetime.date.today().isoformat(),
    }
    (out / f"{args.name}.json").write_text(json.dumps(card, indent=2) + "\n")
    log(f"[card] {out / (args.name + '.json')}")
    return card


if __name__ == "__main__":
    report_data_errors()
    main(get_args_parser().parse_args())
