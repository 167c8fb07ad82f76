"""Training and inference loops."""
import math
import time

import torch


class NonFiniteLoss(RuntimeError):
    pass


def train_one_epoch(model, optimizer, scheduler, loader, epoch, epochs, log=print, print_freq=20,
                    clip=10.0, t_start=None, max_iters=None):
    model.train()
    t0 = time.time()
    sums, n = {}, 0
    for it, (images, targets) in enumerate(loader):
        if max_iters is not None and it >= max_iters:
            break
        targets = [{"boxes": t["boxes"], "labels": t["labels"]} for t in targets]
        losses = model(list(images), targets)
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
def predict(model, dataset, log=None):
    """Raw detections per image as numpy (boxes, labels, scores), with ground truth (boxes, labels)."""
    model.eval()
    dets, gts = [], []
    for i in range(len(dataset)):
        image, target = dataset[i]
        out = model([image])[0]
        dets.append((out["boxes"].numpy(), out["labels"].numpy(), out["scores"].numpy()))
        gts.append((target["boxes"].numpy(), target["labels"].numpy()))
        if log and (i + 1) % 20 == 0:
            log(f"  predicted {i + 1}/{len(dataset)}")
    return dets, gts
