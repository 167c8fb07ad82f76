"""Writes the WBC classifier's data split (models/differential.py's `split`, same seed) as cell lists the
TypeScript eval reads (`npm run eval -- models/wbc-split/pbc-test.json --adapt 5`), so both sides
score exactly the same held-out cells without porting Python's random module:

    /usr/bin/python3 -m models.wbc_split            # writes models/wbc-split/{pbc-test,pbc-val,cbc-val}.json

A cell is {image (relative to the data root), box (null: the detector finds the WBC nearest the centre,
as for training), type}. Only file names are written, never image data.
"""
import argparse
import json
from pathlib import Path

from . import differential as D
from .dataset import default_data_root, report_data_errors

HERE = Path(__file__).resolve().parent


class _NoBoxes(dict):
    # The split depends only on the items' order and types, not on the PBC cells' detector boxes.
    def __missing__(self, key):
        return None


def cells(items, root):
    return [{"image": str(Path(it["image"]).relative_to(root)), "box": it["box"], "type": D.TYPES[it["type"]]}
            for it in items]


def main(args):
    root = Path(args.data or default_data_root()).resolve()
    saved = D.find_pbc_boxes
    D.find_pbc_boxes = lambda *a, **k: _NoBoxes()
    try:
        import inspect  # load_items(root, log) now; load_items(root, run_dir, log) before the boxes file
        n = len(inspect.signature(D.load_items).parameters)
        items = D.load_items(root, None) if n == 2 else D.load_items(root, HERE / "runs" / "unused", None)
    finally:
        D.find_pbc_boxes = saved
    sp = D.split(items, args.seed)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, part, src in (("pbc-test", "test", "pbc"), ("pbc-val", "val", "pbc"), ("cbc-val", "val", "cbc")):
        sel = [it for it in sp[part] if it["source"] == src]
        doc = {"what": f"{src} {part} split of models/differential.py (seed {args.seed})", "cells": cells(sel, root)}
        cells_text = ",\n".join(json.dumps(c) for c in doc["cells"])  # one cell a line: readable diffs
        (out / f"{name}.json").write_text(f'{{"what": {json.dumps(doc["what"])},\n"cells": [\n{cells_text}\n]}}\n')
        print(f"{name}: {len(sel)} cells")


def get_args_parser():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=None, help="data root (default: ../shared/datasets or $SMEARCOUNT_DATA)")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--out", default=str(HERE / "wbc-split"))
    return p


if __name__ == "__main__":
    report_data_errors()
    main(get_args_parser().parse_args())
