"""Pascal VOC readers: one (image, target) pair per annotated image, from one folder or from every
training source at once (CBC, and TXL-PBC's bccd / bcd / pbc with complete labels).

The data never lives in this repository. It is read from $SMEARCOUNT_DATA, or from
../shared/datasets next to the checkout (the folder that holds cbc/, cbc-complete/ and txl-pbc/).
"""
import csv
import json
import os
import random
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import torch
from torchvision.io import ImageReadMode, read_image

from .mirror import interior_rbc_size  # the app's scale estimate on labels (models/mirror.py)

CLASSES = ("RBC", "WBC", "Platelets")  # label = index + 1; 0 is background
LABEL_OF = {name: i + 1 for i, name in enumerate(CLASSES)}
MIN_BOX_SIDE = 3.0  # px; each split ships one box thinner than this (dataset README)


class DataMissingError(FileNotFoundError):
    pass


class AnnotationError(ValueError):
    pass


def default_data_root() -> Path:
    """The datasets folder: $SMEARCOUNT_DATA, else ../shared/datasets beside the checkout."""
    env = os.environ.get("SMEARCOUNT_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared" / "datasets"


def require_data(root, *rels) -> Path:
    """Each of `rels` (a folder or a file under the datasets folder) is there, or a DataMissingError names the
    first one missing and the variable to set (an entry point then says it in one line: report_data_errors)."""
    root = Path(root)
    for rel in rels:
        if not (root / rel).exists():
            raise DataMissingError(
                f"data not found: expected {root / rel}. "
                "Set SMEARCOUNT_DATA to the datasets folder (the one that holds cbc/ and txl-pbc/)."
            )
    return root


def report_data_errors():
    """Called first in an entry point's __main__: missing data or an unreadable annotation ends the run with
    'error: ' and the message on one line, exit code 1, instead of a traceback that buries it."""
    previous = sys.excepthook

    def hook(kind, error, tb):
        if issubclass(kind, (DataMissingError, AnnotationError)):
            print(f"error: {error}", file=sys.stderr)
        else:
            previous(kind, error, tb)

    sys.excepthook = hook


def require_split(root: Path, split: str) -> Path:
    d = Path(root) / split
    if not (d / "Images").is_dir() or not (d / "Annotations").is_dir():
        raise DataMissingError(
            f"data not found: expected {d}/Images and {d}/Annotations. "
            "Set SMEARCOUNT_DATA to the datasets folder (the one that holds cbc/ and txl-pbc/)."
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
        stem, img_path, boxes, labels = self.records[i][:4]
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


# ---------------------------------------------------------------------------------------------------
# Every training source at once.

#: (source name, folder under the datasets root, labels are complete)
SOURCES = (
    ("bccd", "txl-pbc/bccd", True),
    ("bcd", "txl-pbc/bcd", True),
    ("pbc", "txl-pbc/pbc", True),
    ("cbc-partial", "cbc/Training", False),
)
def load_sources(root, sources=SOURCES, log=print):
    """All labelled training images as dicts: source, name, image, boxes, labels, size, complete, group.

    `group` ties copies of one CBC Training image together (txl-pbc/cbc-training-copies.csv), so a
    split by group never puts copies of one picture on both sides. The CBC Training images that
    txl-pbc/bccd relabelled completely are taken from there, not from cbc/ (partial labels)."""
    root = Path(root)
    copies = {}
    copies_csv = root / "txl-pbc" / "cbc-training-copies.csv"
    if copies_csv.is_file():
        with open(copies_csv, newline="") as f:
            for row in csv.DictReader(f):
                if row.get("cbc_training_image"):
                    copies[(row["source"], Path(row["file"]).stem)] = Path(row["cbc_training_image"]).stem
    relabelled = {v for (src, _), v in copies.items() if src == "bccd"}
    records = []
    for name, sub, complete in sources:
        d = require_split(root, sub)
        n0, dropped = len(records), 0
        for x in sorted((d / "Annotations").glob("*.xml")):
            if not complete and x.stem in relabelled:
                continue
            fn, w, h, boxes, labels, k = parse_voc(x)
            img = d / "Images" / fn
            if not img.is_file():
                img = d / "Images" / (x.stem + ".jpg")
            if not img.is_file():
                raise DataMissingError(f"{x}: image {fn} not found in {d / 'Images'}")
            dropped += k
            cbc_name = x.stem if name == "cbc-partial" else copies.get((name, x.stem))
            records.append({
                "source": name, "name": x.stem, "image": img, "boxes": boxes, "labels": labels,
                "size": (w, h), "complete": complete, "group": f"cbc:{cbc_name}" if cbc_name else f"{name}:{x.stem}",
                "rbc_size": interior_rbc_size(boxes, labels, w, h),
            })
        if log:
            recs = records[n0:]
            log(f"[data] {name}: {len(recs)} images, {sum(len(r['boxes']) for r in recs)} boxes, "
                f"{dropped} degenerate boxes dropped")
    return records


def add_border_labels(records, path):
    """Issue 21: the border-cut cells models/border_labels.py found in CBC's partially labelled Training
    images, added to those records' labels (the records' interior RBC size is left as the human labels
    gave it). Returns the number of boxes added."""
    by_image = json.loads(Path(path).read_text())["labels"]["by_image"]
    n = 0
    for r in records:
        if r["source"] != "cbc-partial" or r["name"] not in by_image:
            continue
        extra = by_image[r["name"]]
        r["boxes"] = [list(b) for b in r["boxes"]] + [x[:4] for x in extra]
        r["labels"] = list(r["labels"]) + [int(x[4]) for x in extra]
        n += len(extra)
    return n


def split_by_group(records, val_fraction, seed):
    """Validation carved per source, by group: about val_fraction of each source's groups.
    A group seen in any source's validation is kept out of training everywhere."""
    rng = random.Random(seed)
    val_groups = set()
    by_source = {}
    for r in records:
        by_source.setdefault(r["source"], []).append(r["group"])
    for src in sorted(by_source):
        if not any(r["complete"] for r in records if r["source"] == src):
            continue  # partial labels cannot validate a complete count
        groups = sorted(set(by_source[src]))
        rng.shuffle(groups)
        val_groups.update(groups[: int(round(len(groups) * val_fraction))])
    train = [r for r in records if r["group"] not in val_groups]
    val = [r for r in records if r["group"] in val_groups and r["complete"]]
    return train, val


class RecordDataset(torch.utils.data.Dataset):
    """(image, target) from load_sources() records; target carries the record for scale-aware transforms."""

    def __init__(self, records, transforms=None):
        self.records = list(records)
        self.transforms = transforms

    def __len__(self):
        return len(self.records)

    def raw(self, i):
        r = self.records[i]
        image = read_image(str(r["image"]), ImageReadMode.RGB).float() / 255.0
        target = {
            "boxes": torch.tensor(r["boxes"], dtype=torch.float32).reshape(-1, 4),
            "labels": torch.tensor(r["labels"], dtype=torch.int64),
            "image_id": i, "name": r["name"], "rbc_size": r["rbc_size"],
        }
        return image, target

    def __getitem__(self, i):
        image, target = self.raw(i)
        if self.transforms is not None:
            image, target = self.transforms(image, target)
        return image, target
