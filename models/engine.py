"""Training and inference loops, and the checkpoint and machine facts both trainers share."""
import math
import os
import platform
import sys
import time

import numpy as np
import torch


def load_checkpoint(path):
    """torch.load that also reads checkpoints pickled under numpy 2 (numpy._core) on numpy 1, e.g. a run
    trained on a GPU machine and finished here."""
    if not hasattr(np, "_core") and "numpy._core" not in sys.modules:
        import numpy.core.multiarray
        sys.modules["numpy._core"] = np.core
        sys.modules["numpy._core.multiarray"] = np.core.multiarray
    return torch.load(path, map_location="cpu")


def describe_machine(args):
    return (f"{platform.machine()} {os.cpu_count()} cores, torch {torch.__version__}, device {args.device}"
            + (f" ({torch.cuda.get_device_name()})" if str(args.device).startswith("cuda") else f", {args.threads} threads"))


def run_logger(run_dir):
    """print + append to <run_dir>/train.log, flushed each line (a stopped run keeps its log)."""
    run_dir.mkdir(parents=True, exist_ok=True)
    f = open(run_dir / "train.log", "a")

    def log(msg):
        print(msg, flush=True)
        f.write(msg + "\n")
        f.flush()

    return log


class NonFiniteLoss(RuntimeError):
    pass


def detection_losses(model, batch, device):
    images, targets = batch
    targets = [{"boxes": t["boxes"].to(device), "labels": t["labels"].to(device)} for t in targets]
    return model([im.to(device, non_blocking=True) for im in images], targets)


def train_one_epoch(model, optimizer, scheduler, loader, epoch, epochs, log=print, print_freq=20,
                    clip=10.0, max_iters=None, device="cpu", losses_fn=detection_losses):
    """One epoch of any of our models: losses_fn(model, batch, device) -> {name: loss}. Stops on a
    non-finite loss (torchvision's references do the same) rather than training on NaNs."""
    model.train()
    t0 = time.time()
    sums, n = {}, 0
    for it, batch in enumerate(loader):
        if max_iters is not None and it >= max_iters:
            break
        losses = losses_fn(model, batch, device)
        loss = sum(losses.values())
        if not math.isfinite(loss.item()):
            raise NonFiniteLoss(f"non-finite loss at epoch {epoch} iter {it}: "
                                + ", ".join(f"{k}={v.item():.4g}" for k, v in losses.items()))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
        scheduler.step()
        n += 1
        for k, v in losses.items():
            sums[k] = sums.get(k, 0.0) + v.item()
        sums["loss"] = sums.get("loss", 0.0) + loss.item()
        if (it + 1) % print_freq == 0:
            log(f"  epoch {epoch} iter {it + 1}/{len(loader)} loss {loss.item():.3f} "
                f"lr {optimizer.param_groups[0]['lr']:.2e} {time.time() - t0:.0f}s")
    dt = time.time() - t0
    avg = {k: v / max(1, n) for k, v in sums.items()}
    return avg, dt


@torch.no_grad()
def predict(model, dataset, log=None, native=(512, 384), scale_cfg=None, device="cpu"):
    """Raw detections per image (in image pixels) as numpy (boxes, labels, scores), with ground truth
    (boxes, labels), through the app's scale logic (scale.py). Also returns the per-image scale info."""
    from .scale import DEFAULT_SCALE, detect
    model.eval()
    dets, gts, infos = [], [], []
    for i in range(len(dataset)):
        image, target = dataset[i]
        b, l, s, info = detect(model, image, native=native, cfg=scale_cfg or DEFAULT_SCALE, device=device)
        dets.append((b, l, s))
        infos.append(info)
        gts.append((target["boxes"].numpy(), target["labels"].numpy()))
        if log and (i + 1) % 20 == 0:
            log(f"  predicted {i + 1}/{len(dataset)}")
    return dets, gts, infos
