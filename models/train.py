"""Train the smearcount detector from scratch on every complete-label source, tune post-processing on
validation, evaluate the report sets, export ONNX and write the model card. One command:

    /usr/bin/python3 -m models.train            # the shipped recipe (about 45 min on 2 CPU cores)
    /usr/bin/python3 -m models.train --resume   # continue a stopped run from its last checkpoint

Steps (each a function below): train -> tune (validation) -> evaluate (report sets) -> export + card.
"""
import argparse
import datetime
import json
import math
import random
import time
from pathlib import Path

import numpy as np
import onnx
import torch
from torchvision.io import ImageReadMode, read_image

from .dataset import (CLASSES, SOURCES, RecordDataset, add_border_labels, collate, default_data_root, load_sources,
                     parse_voc, report_data_errors, require_split, split_by_group, interior_rbc_size)
from .engine import describe_machine, load_checkpoint, predict, run_logger, train_one_epoch
from .export import compress_weights, export_onnx, file_facts, prepare_for_export
from .make_scale_sets import build as build_scale_sets, build_from as build_scale_sets_from
from .metrics import count_accuracy, evaluate_detections
from .optimize_onnx import optimize as optimize_onnx
from .model import build_model, count_parameters, load_onnx_weights
from .postprocess import postprocess, tune
from .mirror import enlarged_scores
from .scale import DEFAULT_SCALE
from .transforms import ScaleCrop, WithMosaic, multiscale_transforms, photometric_transforms, plan_scale

HERE = Path(__file__).resolve().parent
COLORS = {"RBC": "#e5484d", "WBC": "#3e63dd", "Platelets": "#f5a623"}
NATIVE = (512, 384)


def get_args_parser():
    p = argparse.ArgumentParser(description="Train the smearcount Faster R-CNN from scratch")
    p.add_argument("--data", default=str(default_data_root()), help="datasets folder (holds cbc/, txl-pbc/)")
    p.add_argument("--sources", nargs="+", default=[s[0] for s in SOURCES],
                   help=f"training sources, of {[s[0] for s in SOURCES]} (default: all, the shipped recipe)")
    p.add_argument("--holdout", nargs="+", default=[],
                   help="leave-one-microscope-out: sources never trained on, reported whole as loo-<source> "
                        "(and the run exports nothing)")
    p.add_argument("--border-labels", nargs="?", const=str(HERE / "cbc-border-labels.json"), default=None,
                   help="add the border-cut cells models/border_labels.py found to CBC's partially labelled images "
                        "(issue 21; default file models/cbc-border-labels.json)")
    p.add_argument("--normalise", choices=["image", "fixed"], default="image",
                   help="in-graph input normalisation: per-image standardisation or fixed constants")
    p.add_argument("--colour", choices=["cast", "field", "dust", "dust-paste", "variants", "clumps", "mild"], default="cast",
                   help="colour augmentation: cast = the shipped recipe (issue 15: HED + colour casts with greyscale); "
                        "field = issue 21's (no greyscale, dust-speck hard negatives, platelet copy-paste, eyepiece "
                        "ring, phone sharpening; measured, not shipped: models/README.md); mild = the earlier jitter")
    p.add_argument("--name", default="smearcount-frcnn", help="model name: writes models/<name>.onnx/.json")
    p.add_argument("--out-dir", default=str(HERE), help="where the .onnx and .json card go")
    p.add_argument("--run-dir", default=str(HERE / "runs"), help="checkpoints and logs (git-ignored)")
    p.add_argument("--widths", type=int, nargs=5, default=None, help="backbone widths: stem, stride 4, 8, 16, 32")
    p.add_argument("--depths", type=int, nargs=3, default=None, help="blocks per stage at strides 8, 16, 32")
    p.add_argument("--fpn-channels", dest="fpn_channels", type=int, default=None)
    p.add_argument("--representation", type=int, default=None, help="box head MLP width")
    p.add_argument("--p2", action="store_true", default=None,
                   help="a stride-4 FPN level for the RoI pooling of small boxes (platelets)")
    p.add_argument("--proposals", dest="rpn_post_nms_test", type=int, default=None, help="RPN proposals kept at test time")
    p.add_argument("--tune", choices=["pooled", "per-source"], default="pooled",
                   help="thresholds minimise the count error pooled over validation (the shipped card), or each "
                        "source's own error averaged over sources (issue 21; measured, not adopted: models/README.md)")
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--time-budget", type=float, default=None,
                   help="seconds of training: after epoch 1 the epoch count is set to fit (overrides --epochs)")
    p.add_argument("--batch-size", type=int, default=4)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--weight-decay", type=float, default=0.05)
    p.add_argument("--warmup-iters", type=int, default=150)
    p.add_argument("--crop", type=int, default=448, help="square training crop, in model pixels")
    p.add_argument("--p-wide", type=float, default=0.5, help="share of crops at a wide magnification (0.4-2.5x)")
    p.add_argument("--p-lowres", type=float, default=0.25, help="share of crops shrunk and enlarged back")
    p.add_argument("--p-mosaic", type=float, default=0.3, help="share of crops that are 2x2 mosaics of four images")
    p.add_argument("--init-from", default=None, help="fine-tune: start from this checkpoint's weights "
                   "(fresh optimizer and schedule)")
    p.add_argument("--init-from-onnx", default=None, help="fine-tune: start from a shipped detector's ONNX weights "
                   "(BatchNorm stays folded; fresh optimizer and schedule)")
    p.add_argument("--val-fraction", type=float, default=0.15)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--max-iters", type=int, default=None, help="cap iterations per epoch (tests)")
    p.add_argument("--max-eval-images", type=int, default=None, help="cap images per evaluated set (tests)")
    p.add_argument("--resume", action="store_true")
    p.add_argument("--trained-on", default=None, help="describe the training machine in the card (for a run "
                   "trained elsewhere and finished here with --resume)")
    p.add_argument("--class-rows-only", default=None, choices=["RBC", "WBC", "Platelets"],
                   help="fine-tune only this class's rows of the box predictor (its score and box deltas): every "
                        "other weight, the other classes' scores included, stays exactly as loaded")
    p.add_argument("--train-only", action="store_true", help="stop after training (tune/evaluate/export later "
                   "with --resume, e.g. on another machine)")
    return p


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def _worker_init(worker_id):
    s = torch.initial_seed() % 2**32
    random.seed(s)
    np.random.seed(s)


def run_postprocess(dets, pp):
    thr = [pp["score_thresholds"][c] for c in CLASSES]
    return [postprocess(b, l, s, thr, pp["nms_iou"], pp["cross_class_nms"]) for (b, l, s) in dets]


def rounded(x, nd=4):
    if isinstance(x, dict):
        return {k: rounded(v, nd) for k, v in x.items()}
    if isinstance(x, float):
        return round(x, nd)
    return x


def reference_rbc_px(records):
    """The model's reference cell scale: median interior RBC of the CBC-microscope (bccd) training
    images, at the plan scale that fits them into the native size."""
    sizes = [r["rbc_size"] * plan_scale(*r["size"], NATIVE) for r in records if r["source"] == "bccd" and r["rbc_size"]]
    if not sizes:
        sizes = [r["rbc_size"] * plan_scale(*r["size"], NATIVE) for r in records if r["rbc_size"]]
    return float(np.median(sizes)) if sizes else DEFAULT_SCALE["reference_rbc_px"]


def folder_records(images_dir, ann_dir, source):
    recs = []
    for x in sorted(Path(ann_dir).glob("*.xml")):
        fn, w, h, b, l, _ = parse_voc(x)
        recs.append({"source": source, "name": x.stem, "image": Path(images_dir) / fn, "boxes": b, "labels": l,
                     "size": (w, h), "complete": True, "group": x.stem, "rbc_size": interior_rbc_size(b, l, w, h)})
    return recs


def val_scale_sets(val_recs, run_dir):
    """The zoom sets' recipe applied to the 640x480 validation images (CBC microscope), written to
    run_dir/val-scale-sets: {name: folder}, empty with fewer than 4 such images."""
    items = [r for r in val_recs if r["size"] == (640, 480)]
    if len(items) < 4:
        return {}
    return build_scale_sets_from([(r["name"], read_image(str(r["image"]), ImageReadMode.RGB), r["boxes"], r["labels"])
                                  for r in items], run_dir / "val-scale-sets")


def report_sets(args, val, run_dir, log):
    """name -> (records, what): the sets the card reports. CBC Testing is reported, never tuned on.
    A leave-one-microscope-out run reports validation and its held-out sources only."""
    root = Path(args.data)
    sets = {}
    for src in sorted({r["source"] for r in val}):
        sets[f"val-{src}"] = ([r for r in val if r["source"] == src], f"validation carved from txl-pbc/{src}")
    if args.holdout:
        held = load_sources(args.data, [s for s in SOURCES if s[0] in args.holdout and s[2]], log=log)
        for src in args.holdout:
            sets[f"loo-{src}"] = ([r for r in held if r["source"] == src],
                                  f"every image of {src}, a microscope this run never trained on")
            own = [r for r in held if r["source"] == src and not r["group"].startswith("cbc:")]
            if 0 < len(own) < len(sets[f"loo-{src}"][0]):
                sets[f"loo-{src}-own"] = (own, f"the images of {src} that are not copies of a CBC Training image")
        if args.max_eval_images:
            sets = {k: (v[0][: args.max_eval_images], v[1]) for k, v in sets.items()}
        return sets
    # Magnification checks on validation, so the choice between models can weigh magnification without
    # touching Testing.
    for k, d in val_scale_sets(val, run_dir).items():
        if k == "zoom-in-half":  # measured with the count rule `half`, by the app's eval CLI
            continue
        sets[f"val-{k}"] = (folder_records(d / "Images", d / "Annotations", f"val-{k}"),
                            f"{k} set built from the 640x480 validation images")
    try:
        cbc_test = require_split(root, "cbc/Testing")
        sets["cbc-testing-original"] = (folder_records(cbc_test / "Images", cbc_test / "Annotations", "cbc"),
                                        "CBC Testing, CBC's original (partial) labels")
        comp = root / "cbc-complete" / "Testing" / "Annotations"
        if comp.is_dir():
            sets["cbc-testing-complete"] = (folder_records(cbc_test / "Images", comp, "cbc"),
                                            "CBC Testing, complete labels (cbc-complete)")
            scale_dirs = build_scale_sets(root, run_dir / "scale-sets")
            for k, d in scale_dirs.items():
                if k == "zoom-in-half":
                    continue
                sets[k] = (folder_records(d / "Images", d / "Annotations", k),
                           f"{k} set built from CBC Testing complete labels (make_scale_sets.py)")
    except FileNotFoundError as e:
        log(f"[eval] CBC Testing not available, not reported: {e}")
    if args.max_eval_images:
        sets = {k: (v[0][: args.max_eval_images], v[1]) for k, v in sets.items()}
    return sets


def class_rows_only(model, cls):
    """Freezes every weight but one class's rows of the box predictor (its score logit, its four box deltas):
    the other classes' outputs, background included, stay exactly as they are. Returns the trainable count."""
    k = CLASSES.index(cls) + 1  # label index; 0 is background
    if any(isinstance(m, torch.nn.modules.batchnorm._BatchNorm) for m in model.modules()):
        # a BatchNorm in training mode normalises by the batch and updates its statistics: the other classes'
        # outputs would move
        raise ValueError("--class-rows-only needs a model with BatchNorm folded (--init-from-onnx)")
    for p in model.parameters():
        p.requires_grad_(False)
    pred = model.roi_heads.box_predictor
    masks = {pred.cls_score.weight: slice(k, k + 1), pred.cls_score.bias: slice(k, k + 1),
             pred.bbox_pred.weight: slice(4 * k, 4 * k + 4), pred.bbox_pred.bias: slice(4 * k, 4 * k + 4)}
    for p, rows in masks.items():
        p.requires_grad_(True)
        keep = torch.zeros_like(p)
        keep[rows] = 1.0
        p.register_hook(lambda g, keep=keep: g * keep)
    return sum(int(p[rows].numel()) for p, rows in masks.items())


def train(args, model, train_ds, run_dir, log):
    """Trains (resumable: a checkpoint per epoch); returns the facts the card records."""
    device = torch.device(args.device)
    model.to(device)
    g = torch.Generator()
    g.manual_seed(args.seed)
    loader = torch.utils.data.DataLoader(
        train_ds, batch_size=args.batch_size, shuffle=True, collate_fn=collate, drop_last=True,
        num_workers=args.workers, worker_init_fn=_worker_init, generator=g, persistent_workers=args.workers > 0,
        pin_memory=False,  # torch 2.11 refuses to pin a batch holding an expanded (overlapping) tensor
    )
    params = [p for p in model.parameters() if p.requires_grad]
    decay = [p for p in params if p.ndim > 1]
    no_decay = [p for p in params if p.ndim <= 1]
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": args.weight_decay}, {"params": no_decay, "weight_decay": 0.0}], lr=args.lr)
    iters_per_epoch = min(len(loader), args.max_iters or len(loader))
    sched = {"epochs": args.epochs}

    def lr_lambda(step):
        total = max(1, sched["epochs"] * iters_per_epoch)
        if step < args.warmup_iters:
            return 0.001 + 0.999 * step / args.warmup_iters
        t = (step - args.warmup_iters) / max(1, total - args.warmup_iters)
        return 0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * min(1.0, t)))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)
    start_epoch, elapsed = 0, 0.0
    machine = args.trained_on or describe_machine(args)
    ckpt_path = run_dir / "checkpoint.pth"
    if args.resume and ckpt_path.is_file():
        ckpt = load_checkpoint(ckpt_path)
        model.load_state_dict(ckpt["model"])
        start_epoch, elapsed = ckpt["epoch"] + 1, ckpt["elapsed"]
        sched["epochs"] = ckpt.get("epochs", args.epochs) if args.time_budget else args.epochs
        if start_epoch < sched["epochs"]:
            # a run with no epoch left needs no optimizer: its state can come from another torch (a GPU
            # machine's torch 2.11 groups the folded biases differently) and is only read to go on training
            optimizer.load_state_dict(ckpt["optimizer"])
            scheduler.load_state_dict(ckpt["scheduler"])
        machine = args.trained_on or ckpt.get("machine") or f"device {ckpt['args'].get('device')} (not recorded)"
        torch.set_rng_state(ckpt["torch_rng"])
        random.setstate(ckpt["py_rng"])
        np.random.set_state(ckpt["np_rng"])
        g.set_state(ckpt["loader_rng"])
        log(f"[resume] from epoch {start_epoch} after {elapsed:.0f}s of training")
    elif args.resume:
        log(f"[resume] no checkpoint at {ckpt_path}; starting fresh")

    epoch = start_epoch
    while epoch < sched["epochs"]:
        avg, dt = train_one_epoch(model, optimizer, scheduler, loader, epoch, sched["epochs"], log=log,
                                  max_iters=args.max_iters, device=device)
        elapsed += dt
        if args.time_budget and epoch == 0:
            sched["epochs"] = max(2, int(args.time_budget // dt))
            log(f"[budget] {dt:.0f}s per epoch: {sched['epochs']} epochs fit in {args.time_budget:.0f}s")
        eta = elapsed / (epoch + 1) * (sched["epochs"] - epoch - 1)
        log(f"[epoch {epoch + 1}/{sched['epochs']}] " + " ".join(f"{k}={v:.4f}" for k, v in avg.items())
            + f" time={dt:.0f}s total={elapsed:.0f}s eta={eta:.0f}s")
        torch.save({
            "model": model.state_dict(), "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
            "epoch": epoch, "epochs": sched["epochs"], "args": vars(args), "model_cfg": model.smearcount_cfg,
            "elapsed": elapsed, "machine": machine, "torch_rng": torch.get_rng_state(), "py_rng": random.getstate(),
            "np_rng": np.random.get_state(), "loader_rng": g.get_state(),
        }, ckpt_path)
        epoch += 1
    return {"epochs": sched["epochs"], "iterations_per_epoch": iters_per_epoch, "wall_time_s": round(elapsed, 1),
            "machine": machine}


def evaluate(model, sets, pp_card, scale_cfg, device, log):
    """Every report set: raw AP, post-processed AP and count accuracy, with the scale logic."""
    out = {}
    for name, (recs, what) in sets.items():
        if not recs:
            continue
        dets, gts, infos = predict(model, RecordDataset(recs), native=NATIVE, scale_cfg=scale_cfg, device=device)
        post = run_postprocess(dets, pp_card)
        raw = evaluate_detections(dets, gts, CLASSES)
        pm = evaluate_detections(post, gts, CLASSES)
        counts = count_accuracy(post, gts, CLASSES)
        true = {c: int(sum(int(np.sum(np.asarray(gl) == k + 1)) for _, gl in gts)) for k, c in enumerate(CLASSES)}
        pred = {c: int(sum(int(np.sum(np.asarray(pl) == k + 1)) for _, pl, _ in post)) for k, c in enumerate(CLASSES)}
        second = sum(1 for i in infos if i["passes"] == 2)
        out[name] = rounded({"what": what, "images": len(recs), "raw": {"map50": raw["map50"], "ap50": raw["ap50"],
                             "map_50_95": raw["map_50_95"]},
                             "postprocessed": {"map50": pm["map50"], "ap50": pm["ap50"]},
                             "count_accuracy": {c: counts[c]["accuracy"] for c in CLASSES},
                             "true": true, "predicted": pred, "second_pass_images": second})
        log(f"[eval] {name}: raw mAP@0.5={raw['map50']:.4f} counts="
            + " ".join(f"{c}={counts[c]['accuracy']:.3f}" for c in CLASSES) + f" second-pass={second}/{len(recs)}")
    return out


def step_tune(model, val_recs, scale_cfg, device, log, per_source=False):
    """Chooses the card's post-processing on the validation split, through the app's scale logic."""
    log("[tune] predicting the validation split (with the scale logic)")
    val_dets, val_gts, _ = predict(model, RecordDataset(val_recs), native=NATIVE, scale_cfg=scale_cfg, device=device)
    pp = tune(val_dets, val_gts, log=log, groups=[r["source"] for r in val_recs] if per_source else None)
    pp_card = {"score_thresholds": dict(zip(CLASSES, pp["score_thresholds"])), "nms_iou": pp["nms_iou"],
               "cross_class_nms": pp["cross_class_nms"]}
    log(f"[tune] chosen {pp_card}")
    return pp_card


ENLARGED_SHIFTS = [round(0.25 * i, 2) for i in range(13)]  # 0 .. 3 on the logit scale per doubling


def fit_enlarged_shift(dets, gts, infos, pp_card, cls="RBC", shifts=ENLARGED_SHIFTS):
    """The logit shift per doubling of enlargement for one class (mirror.enlarged_scores) that minimises that
    class's count error over the images a pass enlarged; the smallest among equals. Returns (shift, errors)."""
    errors = {}
    for b in shifts:
        cfg = {"enlarged_logit_shift": {cls: b}}
        adj = [(bx, lb, enlarged_scores(sc, lb, info.get("relative", 1.0), cfg)) for (bx, lb, sc), info in zip(dets, infos)]
        post = run_postprocess(adj, pp_card)
        errors[b] = 1 - count_accuracy(post, gts, CLASSES)[cls]["accuracy"]
    best = min(shifts, key=lambda b: (round(errors[b], 6), b))
    return best, errors


def step_enlarged(model, val_recs, run_dir, pp_card, scale_cfg, device, log):
    """Scores on a pass that enlarged the image (cells smaller than the reference, their pixels stretched)
    come out lower; the RBC shift that corrects them is fitted on the validation zoom-out set (the zoom
    sets' recipe on the 640x480 validation images; issue 21's zoom-out RBC). WBC and platelets keep 0:
    validation zoom-out holds too few of them to fit a shift on."""
    zoom = val_scale_sets(val_recs, run_dir)
    if not zoom:
        log("[enlarged] fewer than 4 validation images of 640x480: no shift")
        return {c: 0.0 for c in CLASSES}
    recs = folder_records(zoom["zoom-out"] / "Images", zoom["zoom-out"] / "Annotations", "val-zoom-out")
    dets, gts, infos = predict(model, RecordDataset(recs), native=NATIVE, scale_cfg=scale_cfg, device=device)
    shift, errors = fit_enlarged_shift(dets, gts, infos, pp_card)
    log(f"[enlarged] RBC count error on validation zoom-out by logit shift per doubling: "
        + " ".join(f"{b}:{e:.4f}" for b, e in errors.items()) + f" -> {shift}")
    return {"RBC": shift, "WBC": 0.0, "Platelets": 0.0}


def step_export(model, out_dir, name, run_dir, log):
    """The shipped ONNX file (int8-stored weights); returns its path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    onnx_path = out / f"{name}.onnx"
    tmp = run_dir / "export.fp32.onnx"
    export_onnx(model, tmp, sample_hw=(NATIVE[1], NATIVE[0]))
    compress_weights(tmp, onnx_path)
    # speed-only graph rewrites that compute the same values (models/optimize_onnx.py)
    optimized, what = optimize_onnx(onnx.load(str(onnx_path)))
    onnx.save(optimized, str(onnx_path))
    log(f"[export] graph rewrites: {what}")
    log(f"[export] {onnx_path} {onnx_path.stat().st_size / 1e6:.2f} MB")
    return onnx_path


def main(args):
    """The one command: data -> train -> tune -> evaluate -> export + card."""
    torch.set_num_threads(args.threads)
    run_dir = Path(args.run_dir) / args.name
    log = run_logger(run_dir)

    seed_everything(args.seed)
    log(f"[run] {datetime.datetime.now().isoformat(timespec='seconds')} args={vars(args)}")
    sources = [s for s in SOURCES if s[0] in args.sources and s[0] not in args.holdout]
    records = load_sources(args.data, sources, log=log)
    if getattr(args, "border_labels", None):
        log(f"[data] {add_border_labels(records, args.border_labels)} border-cut boxes added from {args.border_labels}")
    if args.holdout:
        # A held-out source's copies elsewhere (a CBC Training image that bccd and bcd both relabelled)
        # would leak it into training: every group of a held-out image leaves training too.
        held = {r["group"] for r in load_sources(args.data, [s for s in SOURCES if s[0] in args.holdout], log=lambda *_: None)}
        n0 = len(records)
        records = [r for r in records if r["group"] not in held]
        log(f"[loo] {n0 - len(records)} training images share a group with a held-out image: left out")
    train_recs, val_recs = split_by_group(records, args.val_fraction, args.seed)
    ref = reference_rbc_px(train_recs)
    scale_cfg = {**DEFAULT_SCALE, "reference_rbc_px": round(ref, 1)}
    log(f"[data] train {len(train_recs)} val {len(val_recs)}; reference RBC {ref:.1f} px at {NATIVE}")
    if args.p_mosaic > 0:
        train_ds = WithMosaic(RecordDataset(train_recs), ScaleCrop(args.crop, ref, native=NATIVE, p_wide=args.p_wide),
                              photometric_transforms(args.p_lowres, args.colour), p=args.p_mosaic)
    else:
        train_ds = RecordDataset(train_recs, multiscale_transforms(args.crop, ref, NATIVE, p_wide=args.p_wide,
                                                                    p_lowres=args.p_lowres, colour=args.colour))

    model = build_model(args, min_size=NATIVE[1], max_size=NATIVE[0], folded=bool(args.init_from_onnx))
    if args.init_from_onnx and not (args.resume and (run_dir / "checkpoint.pth").is_file()):
        load_onnx_weights(model, args.init_from_onnx)
        log(f"[init] weights from {args.init_from_onnx} (BatchNorm folded)")
    log(f"[model] {count_parameters(model):,} parameters, cfg={model.smearcount_cfg}")
    if args.init_from and not (args.resume and (run_dir / "checkpoint.pth").is_file()):
        model.load_state_dict(load_checkpoint(args.init_from)["model"])
        log(f"[init] weights from {args.init_from}")
    if getattr(args, "class_rows_only", None):
        log(f"[rows] training only {class_rows_only(model, args.class_rows_only)} weights: the "
            f"{args.class_rows_only} rows of the box predictor")
        args.weight_decay = 0.0  # decoupled decay would shrink the frozen rows too
    facts = train(args, model, train_ds, run_dir, log)
    if args.train_only:
        log("[done] --train-only: checkpoint saved; run again with --resume to tune, evaluate and export")
        return None

    # From here on the model is the one we ship: BN folded, weights rounded to int8 per channel.
    model.cpu()
    prepare_for_export(model)
    model.to(args.device)
    t0 = time.time()
    pp_card = step_tune(model, val_recs, scale_cfg, args.device, log, per_source=args.tune == "per-source")
    scale_cfg = {**scale_cfg, "enlarged_logit_shift": step_enlarged(model, val_recs, run_dir, pp_card, scale_cfg,
                                                                     args.device, log)}
    reports = evaluate(model, report_sets(args, val_recs, run_dir, log), pp_card, scale_cfg, args.device, log)
    if args.holdout:
        (run_dir / "loo.json").write_text(json.dumps({"args": vars(args), "postprocess": pp_card, "sets": reports},
                                                     indent=2) + "\n")
        log(f"[loo] {run_dir / 'loo.json'}: held out {args.holdout}; nothing exported")
        return reports
    model.cpu()
    onnx_path = step_export(model, args.out_dir, args.name, run_dir, log)
    out = Path(args.out_dir)
    by_source = {}
    for r in train_recs:
        by_source.setdefault(r["source"], 0)
        by_source[r["source"]] += 1
    card = {
        "name": args.name,
        **file_facts(onnx_path),
        "architecture": "torchvision FasterRCNN: ResNet-style backbone (strides 8/16/32) + "
                        f"{model.smearcount_cfg['fpn_channels']}-channel FPN, RPN, 2-layer MLP box head"
                        + ("; a stride-4 FPN level for the RoI pooling of boxes under 112 px (RPN on strides 8-32)"
                           if model.smearcount_cfg.get("p2") else ""),
        "parameters": count_parameters(model),
        "classes": [{"label": i + 1, "name": c, "color": COLORS[c]} for i, c in enumerate(CLASSES)],
        "input": {"name": "image", "dtype": "float32", "shape": ["3", "H", "W"], "layout": "CHW",
                  "color": "RGB", "range": [0, 1], "native_size": list(NATIVE),
                  "normalisation": ("in the graph: each image standardised by its own per-channel mean and standard "
                                    "deviation, (x - mean) / (std + 0.001), over all pixels of the input"
                                    if model.smearcount_cfg["normalise"] == "image" else
                                    "in the graph: fixed per-channel mean/std"),
                  "note": "any H and W; the graph normalises but never resizes: the app fits the image into "
                          "native_size, then rescales it when the cell scale is off (see scale)"},
        "outputs": {
            "boxes": {"dtype": "float32", "shape": ["N", 4], "format": "x1,y1,x2,y2 in input pixels"},
            "labels": {"dtype": "int64", "shape": ["N"], "values": {"1": "RBC", "2": "WBC", "3": "Platelets"}},
            "scores": {"dtype": "float32", "shape": ["N"]},
        },
        "raw_output": {"score_threshold": model.smearcount_cfg["score_thresh"],
                       "max_detections": model.smearcount_cfg["detections_per_img"],
                       "per_class_nms_iou": 0.5},
        "postprocess": {k: (rounded(v) if k == "score_thresholds" else v) for k, v in pp_card.items()},
        "scale": scale_cfg,
        "count_rule": {"default": "all", "border_px": 2,
                       "note": "all: every detected cell, cut by the border or not; half: a cut cell counts when its box is at least half a whole cell's (median) area; interior: no cell within the border tolerance (max(border_px, 0.5% of the shorter side)) of an edge; top-left: the two-edge rule, cells cut by the bottom or right edge left out"},
        "weights": "BatchNorm folded; conv/linear weights stored int8 per output channel (Cast+Mul, folded by ORT)",
        "training": {
            "data": {"sources": args.sources, "train_images": by_source,
                     **({"border_labels": Path(args.border_labels).name} if getattr(args, "border_labels", None) else {}),
                     "note": "txl-pbc complete labels; CBC Training images relabelled in txl-pbc/bccd are taken "
                             "from there"},
            "split": {"train": len(train_recs), "validation": len(val_recs), "val_fraction": args.val_fraction,
                      "rule": f"per source, by group (copies of one CBC image share a group), seed {args.seed}"},
            **{k: v for k, v in facts.items() if k != "machine"}, "batch_size": args.batch_size, "crop": args.crop,
            "optimizer": f"AdamW lr {args.lr} wd {args.weight_decay}, warmup + cosine",
            "init_from": args.init_from or args.init_from_onnx,
            "augmentation": f"2x2 mosaics p {args.p_mosaic}, resolution loss p {args.p_lowres}, scale to the reference RBC size x magnification (p_wide "
                            f"{args.p_wide} log-uniform 0.4-2.5, else 0.8-1.25), random crop keeping cut cells "
                            "(>=30% visible), h/v flips, 90-degree rotations, "
                            + {"cast": "HED stain jitter (sigma 0.2), colour casts (per-channel gains 0.7-1.3, hue turns "
                                       "+-0.5 p 0.4, greyscale p 0.1), ",
                               "field": "platelet copy-paste p 0.3, grey/brown dust-speck hard negatives p 0.35, "
                                        "HED stain jitter (sigma 0.2), colour casts (per-channel gains 0.7-1.3, hue "
                                        "turns +-0.5 p 0.4, no greyscale), phone sharpening p 0.15, eyepiece ring p 0.1, ",
                               "dust": "grey/brown dust-speck hard negatives p 0.35, HED stain jitter (sigma 0.2), colour "
                                       "casts (per-channel gains 0.7-1.3, hue turns +-0.5 p 0.4, greyscale p 0.1), ",
                               "dust-paste": "platelet copy-paste p 0.2, grey/brown dust-speck hard negatives p 0.35, HED "
                                             "stain jitter (sigma 0.2), colour casts (per-channel gains 0.7-1.3, hue turns "
                                             "+-0.5 p 0.4, greyscale p 0.1), ",
                               "variants": "platelet variants p 0.5 (copied platelets made fainter or stronger, "
                                           "0.7-1.4x, blurred, a third cut by the crop border), HED stain jitter "
                                           "(sigma 0.2), colour casts (per-channel gains 0.7-1.3, hue turns +-0.5 p 0.4, "
                                           "greyscale p 0.1), ",
                               "clumps": "platelet clumps p 0.25 (4-10 of the crop's own platelets laid in a heap as "
                                         "the light they absorb, labelled), HED stain jitter (sigma 0.2), colour casts "
                                         "(per-channel gains 0.7-1.3, hue turns +-0.5 p 0.4, greyscale p 0.1), ",
                               "mild": ""}[args.colour]
                            + "stain jitter, blur, noise",
            "machine": facts["machine"],
            "post_training_machine": describe_machine(args),
            "seed": args.seed,
            "from_scratch": not (args.init_from or args.init_from_onnx),
        },
        "metrics": {"by": "models/train.py (PyTorch, the rounded weights the ONNX file stores; scale logic of "
                          "models/scale.py)", "sets": reports,
                    "note": "VOC all-point AP; map_50_95 averages all-point AP over IoU 0.50:0.05:0.95 (not the COCO 101-point metric); "
                            "count accuracy = 1 - sum|pred-true|/sum(true)"},
        "created": datetime.date.today().isoformat(),
    }
    (out / f"{args.name}.json").write_text(json.dumps(card, indent=2) + "\n")
    log(f"[card] {out / (args.name + '.json')} (post-training steps {time.time() - t0:.0f}s)")
    return card


if __name__ == "__main__":
    report_data_errors()
    main(get_args_parser().parse_args())
