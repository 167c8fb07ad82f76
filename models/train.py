"""Train the smearcount detector from scratch, tune post-processing on a validation split, evaluate on
Testing, export ONNX and write the model card. One command:

    /usr/bin/python3 models/train.py            # the shipped recipe
    /usr/bin/python3 models/train.py --resume   # continue a stopped run from its last checkpoint
"""
import argparse
import datetime
import json
import math
import os
import platform
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dataset import CLASSES, CBCDataset, collate, default_data_root, require_split, split_names  # noqa: E402
from engine import predict, train_one_epoch  # noqa: E402
from export import compress_weights, export_onnx, file_facts, prepare_for_export  # noqa: E402
from metrics import count_accuracy, evaluate_detections  # noqa: E402
from model import build_model, count_parameters  # noqa: E402
from postprocess import postprocess, tune  # noqa: E402
from transforms import train_transforms  # noqa: E402

HERE = Path(__file__).resolve().parent
COLORS = {"RBC": "#e5484d", "WBC": "#3e63dd", "Platelets": "#f5a623"}


def get_args_parser():
    p = argparse.ArgumentParser(description="Train the smearcount Faster R-CNN from scratch")
    p.add_argument("--data", default=str(default_data_root()), help="folder holding Training/ and Testing/")
    p.add_argument("--name", default="smearcount-frcnn", help="model name: writes models/<name>.onnx/.json")
    p.add_argument("--out-dir", default=str(HERE), help="where the .onnx and .json card go")
    p.add_argument("--run-dir", default=str(HERE / "runs"), help="checkpoints and logs (git-ignored)")
    p.add_argument("--widths", type=int, nargs=5, default=None, help="backbone widths: stem, stride 4, 8, 16, 32")
    p.add_argument("--depths", type=int, nargs=3, default=None, help="blocks per stage at strides 8, 16, 32")
    p.add_argument("--fpn-channels", dest="fpn_channels", type=int, default=None)
    p.add_argument("--representation", type=int, default=None, help="box head MLP width")
    p.add_argument("--proposals", dest="rpn_post_nms_test", type=int, default=None, help="RPN proposals kept at test time")
    p.add_argument("--epochs", type=int, default=24)
    p.add_argument("--batch-size", type=int, default=4)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--weight-decay", type=float, default=0.05)
    p.add_argument("--warmup-iters", type=int, default=150)
    p.add_argument("--crop", type=int, default=448, help="square training crop after scale jitter; 0 = full image")
    p.add_argument("--val-fraction", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--max-iters", type=int, default=None, help="cap iterations per epoch (tests)")
    p.add_argument("--max-test-images", type=int, default=None, help="cap Testing images (tests)")
    p.add_argument("--resume", action="store_true")
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


def main(args):
    torch.set_num_threads(args.threads)
    run_dir = Path(args.run_dir) / args.name
    run_dir.mkdir(parents=True, exist_ok=True)
    log_file = open(run_dir / "train.log", "a")

    def log(msg):
        print(msg, flush=True)
        log_file.write(msg + "\n")
        log_file.flush()

    train_dir = require_split(args.data, "Training")
    test_dir = require_split(args.data, "Testing")
    seed_everything(args.seed)
    train_names, val_names = split_names(train_dir, args.val_fraction, args.seed)
    log(f"[run] {datetime.datetime.now().isoformat(timespec='seconds')} args={vars(args)}")
    train_ds = CBCDataset(train_dir, train_transforms(args.crop), names=train_names, log=log)
    val_ds = CBCDataset(train_dir, None, names=val_names, log=log)
    test_ds = CBCDataset(test_dir, None, log=log)
    if args.max_test_images:
        test_ds.records = test_ds.records[: args.max_test_images]

    g = torch.Generator()
    g.manual_seed(args.seed)
    loader = torch.utils.data.DataLoader(
        train_ds, batch_size=args.batch_size, shuffle=True, collate_fn=collate, drop_last=True,
        num_workers=args.workers, worker_init_fn=_worker_init, generator=g, persistent_workers=args.workers > 0,
    )
    model = build_model(args)
    log(f"[model] {count_parameters(model):,} parameters, cfg={model.smearcount_cfg}")
    params = [p for p in model.parameters() if p.requires_grad]
    decay = [p for p in params if p.ndim > 1]
    no_decay = [p for p in params if p.ndim <= 1]
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": args.weight_decay}, {"params": no_decay, "weight_decay": 0.0}], lr=args.lr
    )
    iters_per_epoch = min(len(loader), args.max_iters or len(loader))
    total = max(1, args.epochs * iters_per_epoch)

    def lr_lambda(step):
        if step < args.warmup_iters:
            return 0.001 + 0.999 * step / args.warmup_iters
        t = (step - args.warmup_iters) / max(1, total - args.warmup_iters)
        return 0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * min(1.0, t)))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)
    start_epoch, elapsed = 0, 0.0
    ckpt_path = run_dir / "checkpoint.pth"
    if args.resume and ckpt_path.is_file():
        ckpt = torch.load(ckpt_path, map_location="cpu")
        model.load_state_dict(ckpt["model"])
        optimizer.load_state_dict(ckpt["optimizer"])
        scheduler.load_state_dict(ckpt["scheduler"])
        start_epoch, elapsed = ckpt["epoch"] + 1, ckpt["elapsed"]
        torch.set_rng_state(ckpt["torch_rng"])
        random.setstate(ckpt["py_rng"])
        np.random.set_state(ckpt["np_rng"])
        g.set_state(ckpt["loader_rng"])
        log(f"[resume] from epoch {start_epoch} after {elapsed:.0f}s of training")
    elif args.resume:
        log(f"[resume] no checkpoint at {ckpt_path}; starting fresh")

    for epoch in range(start_epoch, args.epochs):
        avg, dt = train_one_epoch(model, optimizer, scheduler, loader, epoch, args.epochs, log=log,
                                  max_iters=args.max_iters)
        elapsed += dt
        eta = elapsed / (epoch + 1) * (args.epochs - epoch - 1)
        log(f"[epoch {epoch + 1}/{args.epochs}] " + " ".join(f"{k}={v:.4f}" for k, v in avg.items())
            + f" time={dt:.0f}s total={elapsed:.0f}s eta={eta:.0f}s")
        torch.save({
            "model": model.state_dict(), "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
            "epoch": epoch, "args": vars(args), "model_cfg": model.smearcount_cfg, "elapsed": elapsed,
            "torch_rng": torch.get_rng_state(), "py_rng": random.getstate(), "np_rng": np.random.get_state(),
            "loader_rng": g.get_state(),
        }, ckpt_path)

    # From here on the model is the one we ship: BN folded, weights rounded to int8 per channel.
    prepare_for_export(model)
    t0 = time.time()
    log("[tune] predicting the validation split")
    val_dets, val_gts = predict(model, val_ds)
    pp = tune(val_dets, val_gts, log=log)
    pp_card = {"score_thresholds": dict(zip(CLASSES, pp["score_thresholds"])), "nms_iou": pp["nms_iou"],
               "cross_class_nms": pp["cross_class_nms"]}
    log(f"[tune] chosen {pp_card}")
    val_post = run_postprocess(val_dets, pp_card)
    val_metrics = {"raw": evaluate_detections(val_dets, val_gts, CLASSES),
                   "count": count_accuracy(val_post, val_gts, CLASSES)}

    log("[eval] predicting Testing")
    test_dets, test_gts = predict(model, test_ds, log=log)
    test_post = run_postprocess(test_dets, pp_card)
    raw = evaluate_detections(test_dets, test_gts, CLASSES)
    post = evaluate_detections(test_post, test_gts, CLASSES)
    counts = count_accuracy(test_post, test_gts, CLASSES)
    log(f"[eval] Testing raw mAP@0.5={raw['map50']:.4f} {raw['ap50']} mAP@[.5:.95]={raw['map_coco']:.4f}")
    log(f"[eval] Testing post mAP@0.5={post['map50']:.4f} {post['ap50']} counts={counts}")

    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    onnx_path = out / f"{args.name}.onnx"
    tmp = run_dir / "export.fp32.onnx"
    export_onnx(model, tmp)
    compress_weights(tmp, onnx_path)
    log(f"[export] {onnx_path} {onnx_path.stat().st_size / 1e6:.2f} MB")
    card = {
        "name": args.name,
        **file_facts(onnx_path),
        "architecture": "torchvision FasterRCNN: ResNet-style backbone (strides 8/16/32) + "
                        f"{model.smearcount_cfg['fpn_channels']}-channel FPN, RPN, 2-layer MLP box head",
        "parameters": count_parameters(model),
        "classes": [{"label": i + 1, "name": c, "color": COLORS[c]} for i, c in enumerate(CLASSES)],
        "input": {"name": "image", "dtype": "float32", "shape": ["3", "H", "W"], "layout": "CHW",
                  "color": "RGB", "range": [0, 1], "native_size": [640, 480],
                  "note": "any H and W; the graph normalises and keeps 640x480 at native scale"},
        "outputs": {
            "boxes": {"dtype": "float32", "shape": ["N", 4], "format": "x1,y1,x2,y2 in input pixels"},
            "labels": {"dtype": "int64", "shape": ["N"], "values": {"1": "RBC", "2": "WBC", "3": "Platelets"}},
            "scores": {"dtype": "float32", "shape": ["N"]},
        },
        "raw_output": {"score_threshold": model.smearcount_cfg["score_thresh"],
                       "max_detections": model.smearcount_cfg["detections_per_img"],
                       "per_class_nms_iou": 0.5},
        "postprocess": {k: (rounded(v) if k == "score_thresholds" else v) for k, v in pp_card.items()},
        "weights": "BatchNorm folded; conv/linear weights stored int8 per output channel (Cast+Mul, folded by ORT)",
        "training": {
            "data": "CBC dataset (MahmudulAlam/Complete-Blood-Cell-Count-Dataset), Training folder",
            "split": {"train": len(train_names), "validation": len(val_names), "val_fraction": args.val_fraction,
                      "rule": f"seeded shuffle of Training file names (seed {args.seed})"},
            "epochs": args.epochs, "iterations_per_epoch": iters_per_epoch, "batch_size": args.batch_size,
            "crop": args.crop, "optimizer": f"AdamW lr {args.lr} wd {args.weight_decay}, warmup + cosine",
            "augmentation": "scale jitter 0.8-1.25, random crop, h/v flips, 90-degree rotations, stain jitter",
            "wall_time_s": round(elapsed, 1),
            "machine": f"{platform.machine()} {os.cpu_count()} cores, torch {torch.__version__}, "
                       f"{args.threads} threads, no GPU",
            "seed": args.seed,
            "from_scratch": True,
        },
        "validation": rounded({"images": len(val_ds), "raw": val_metrics["raw"], "count": val_metrics["count"]}),
        "metrics": rounded({
            "split": "Testing", "images": len(test_ds),
            "raw": raw,
            "postprocessed": {**post, "count": counts},
            "note": "VOC all-point AP; COCO mAP averages all-point AP over IoU 0.50:0.05:0.95; count accuracy = "
                    "1 - sum|pred-true|/sum(true). Computed by models/metrics.py on the rounded-weight PyTorch "
                    "model, which the ONNX file reproduces; npm run eval re-measures it in TypeScript.",
        }),
        "created": datetime.date.today().isoformat(),
    }
    (out / f"{args.name}.json").write_text(json.dumps(card, indent=2) + "\n")
    log(f"[card] {out / (args.name + '.json')} (post-training steps {time.time() - t0:.0f}s)")
    return card


if __name__ == "__main__":
    main(get_args_parser().parse_args())
