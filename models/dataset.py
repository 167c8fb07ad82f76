"""Pascal VOC reader for the CBC dataset: one (image, target) pair per annotated image.

The data never lives in this repository. It is read from $SMEARCOUNT_DATA, or from
../shared/datasets/cbc next to the checkout.
"""
import os
import random
import xml.etree.ElementTree as ET
from pathlib import Path

import torch
from torchvision.io import ImageReadMode, read_image

CLASSES = ("RBC", "WBC", "Platelets")  # label = index + 1; 0 is background
LABEL_OF = {name: i + 1 for i, name in enumerate(CLASSES)}
MIN_BOX_SIDE = 3.0  # px; each split ships one box thinner than this (dataset README)


class DataMissingError(FileNotFoundError):
    pass


class AnnotationError(ValueError):
    pass


def default_data_root() -> Path:
    env = os.environ.get("SMEARCOUNT_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared" / "datasets" / "cbc"


def require_split(root: Path, split: str) -> Path:
    d = Path(root) / split
    if not (d / "Images").is_dir() or not (d / "Annotations").is_dir():
        raise DataMissingError(
            f"CBC data not found: expected {d}/Images and {d}/Annotations. "
            "Set SMEARCOUNT_DATA to the folder that holds Training/ and Testing/."
        )
    return d


def parse_voc(xml_path: Path):
    """Returns (filename, width, height, boxes[list of 4 floats], labels[list of int], dropped)."""
    try:
        root = ET.parse(xml_path).getroot()
    except ET.ParseError as e:
        raise AnnotationError(f"{xml_path}: malformed XML ({e})") from None
    try:
        filename = root.findtext("filename") or Path(xml_path).with_suffix(".jpg").name
        size = root.find("size")
        width = int(float(size.findtext("width")))
        height = int(float(size.findtext("height")))
    except (AttributeError, TypeError, ValueError):
        raise AnnotationError(f"{xml_path}: missing or invalid <size>") from None
    boxes, labels, dropped = [], [], 0
    for obj in root.iter("object"):
        name = (obj.findtext("name") or "").strip()
        if name not in LABEL_OF:
            raise AnnotationError(f"{xml_path}: unknown class {name!r}")
        bb = obj.find("bndbox")
        try:
            x1, y1, x2, y2 = (float(bb.findtext(k)) for k in ("xmin", "ymin", "xmax", "ymax"))
        except (AttributeError, TypeError, ValueError):
            raise AnnotationError(f"{xml_path}: object {name} has an invalid <bndbox>") from None
        x1, x2 = max(0.0, min(x1, x2)), min(float(width), max(x1, x2))
        y1, y2 = max(0.0, min(y1, y2)), min(float(height), max(y1, y2))
        if x2 - x1 < MIN_BOX_SIDE or y2 - y1 < MIN_BOX_SIDE:
            dropped += 1
            continue
        boxes.append([x1, y1, x2, y2])
        labels.append(LABEL_OF[name])
    return filename, width, height, boxes, labels, dropped


class CBCDataset(torch.utils.data.Dataset):
    def __init__(self, split_dir, transforms=None, names=None, log=print):
        self.dir = Path(split_dir)
        xmls = sorted((self.dir / "Annotations").glob("*.xml"))
        if names is not None:
            keep = set(names)
            xmls = [x for x in xmls if x.stem in keep]
        self.records = []
        dropped = 0
        for x in xmls:
            fn, w, h, boxes, labels, d = parse_voc(x)
            img = self.dir / "Images" / fn
            if not img.is_file():
                img = self.dir / "Images" / (x.stem + ".jpg")
            if not img.is_file():
                raise DataMissingError(f"{x}: image {fn} not found in {self.dir / 'Images'}")
            dropped += d
            self.records.append((x.stem, img, boxes, labels))
        if log:
            log(f"[data] {self.dir.name}: {len(self.records)} images, "
                f"{sum(len(r[2]) for r in self.records)} boxes, {dropped} degenerate boxes dropped")
        self.transforms = transforms

    def __len__(self):
        return len(self.records)

    def __getitem__(self, i):
        stem, img_path, boxes, labels = self.records[i]
        image = read_image(str(img_path), ImageReadMode.RGB).float() / 255.0
        target = {
            "boxes": torch.tensor(boxes, dtype=torch.float32).reshape(-1, 4),
            "labels": torch.tensor(labels, dtype=torch.int64),
            "image_id": i,
            "name": stem,
        }
        if self.transforms is not None:
            image, target = self.transforms(image, target)
        return image, target


def split_names(train_dir: Path, val_fraction: float, seed: int):
    """Deterministic train/val split of the Training folder by file stem."""
    stems = sorted(p.stem for p in (Path(train_dir) / "Annotations").glob("*.xml"))
    rng = random.Random(seed)
    rng.shuffle(stems)
    n_val = int(round(len(stems) * val_fraction))
    return sorted(stems[n_val:]), sorted(stems[:n_val])


def collate(batch):
    return tuple(zip(*batch))
