"""The app's restoration of soft WBC crops (src/core/differential/restore.ts, the classifier card's
`crop.restore`), in numpy, so that training can see crops as the app will give them: a crop softer than
`sigma` is deconvolved down to `sigma` by a noise-regularised Wiener inverse, with whatever ringing and
amplified grain that leaves. `models/mirror.py` writes test vectors from this copy, and
`src/core/mirror.test.ts` checks the TypeScript against them.

The functions take one crop as float CHW in [0, 1] (a numpy array or a torch tensor's `.numpy()`).
"""
import numpy as np
from scipy.ndimage import convolve, gaussian_filter

GREY = np.array([0.299, 0.587, 0.114])
IMMERKAER = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], float)

# the shipped card's crop.restore (chosen on validation on 2026-12-05; README "Numbers a lab can sign")
DEFAULT = {"sigma": 2.2, "presmooth": 1, "top": 0.1, "border": 3, "alpha": 0.3, "eps": 2, "pad": 16}
RULE = ("before the white balance, a crop far softer than training's is deconvolved (src/core/differential/restore.ts): blur sigma read on the crop (grey, pre-smoothed by presmooth px; at the strongest top fraction of gradients, border px in from the edge, R = |grad g| / |grad (G1*g)|, sigma = 1/sqrt(R^2-1), the median, presmooth taken off in quadrature); where sigma > sigma, each channel by a Wiener inverse of a Gaussian of sqrt(sigma_est^2 - sigma^2): H / (H^2 + lambda |grad|^2), lambda = alpha (noise^2 + (eps/255)^2) / mean |grad x|^2, noise = median |Immerkaer residual| / 0.6745 / 6 per channel; the crop mirrored by pad px; clipped to [0, 1]")


CHOSEN = ("2026-12-05 on validation only (the warm, soft validation camera at Gaussian noise 0, 2 and 4/255 and JPEG 75 and 20, camera 2, PBC, camera 0 and CBC validation with noise); 99th percentile of the training crops' blur 1.672")


def restore_card(r=DEFAULT, chosen=None):
    """The card's crop.restore entry for these parameters (what src/core/differential/restore.ts reads)."""
    return {"rule": RULE, **{k: r[k] for k in DEFAULT}, "chosen": chosen or CHOSEN}


def _blur(g, sigma):
    return gaussian_filter(g, sigma, mode="nearest", truncate=4.0)


def grad_mag(g):
    """|grad| by central differences, 0 across the first and last rows / columns (as restore.ts)."""
    gy = np.zeros_like(g)
    gx = np.zeros_like(g)
    gy[1:-1, :] = (g[2:, :] - g[:-2, :]) / 2
    gx[:, 1:-1] = (g[:, 2:] - g[:, :-2]) / 2
    return np.hypot(gx, gy)


def blur_sigma(chw, presmooth=1.0, top=0.1, border=3):
    """The crop's defocus sigma in its own pixels: the re-blur ratio at the strongest `top` of gradients."""
    g = np.tensordot(GREY, np.asarray(chw, float), axes=([0], [0]))
    if presmooth > 0:
        g = _blur(g, presmooth)
    a = grad_mag(g)[border:-border, border:-border].ravel()
    b = grad_mag(_blur(g, 1.0))[border:-border, border:-border].ravel()
    k = max(1, int(np.floor(top * a.size + 0.5)))  # Math.round for positive numbers
    idx = np.argsort(-a, kind="stable")[:k]
    r = a[idx] / np.maximum(b[idx], 1e-9)
    m = float(np.median(1 / np.sqrt(np.maximum(r * r - 1, 1e-6))))
    return float(np.sqrt(max(m * m - presmooth * presmooth, 0))) if presmooth > 0 else m


def noise_sigma(chw):
    """Per channel: median |Immerkaer residual| / 0.6745 / 6 over the interior."""
    chw = np.asarray(chw, float)
    return [float(np.median(np.abs(convolve(c, IMMERKAER, mode="nearest")[1:-1, 1:-1])) / 0.6745 / 6) for c in chw]


def wiener_gaussian(chw, sigma, lam, pad):
    """Each channel deconvolved by a Gaussian of `sigma`: X = H Y / (H^2 + lam_c |grad|^2), mirrored by `pad`."""
    chw = np.asarray(chw, float)
    size = chw.shape[-1]
    xp = np.pad(chw, ((0, 0), (pad, pad), (pad, pad)), mode="symmetric")
    n = xp.shape[-1]
    fy, fx = np.fft.fftfreq(n)[:, None], np.fft.fftfreq(n)[None, :]
    h = np.exp(-2 * np.pi ** 2 * sigma ** 2 * (fx ** 2 + fy ** 2))
    p2 = 4 * np.sin(np.pi * fx) ** 2 + 4 * np.sin(np.pi * fy) ** 2
    out = np.empty_like(chw)
    for c in range(chw.shape[0]):
        g = h / (h * h + lam[c] * p2)
        out[c] = np.real(np.fft.ifft2(np.fft.fft2(xp[c]) * g))[pad:pad + size, pad:pad + size]
    return out


def restore_crop(chw, r=DEFAULT):
    """(crop, sigma, restored): the crop restored where its blur is past r["sigma"], else the same array."""
    chw = np.asarray(chw)
    sigma = blur_sigma(chw, r["presmooth"], r["top"], r["border"])
    if not sigma > r["sigma"]:
        return chw, sigma, False
    x = chw.astype(float)
    noise = noise_sigma(x)
    floor = (r["eps"] / 255) ** 2
    lam = [r["alpha"] * (noise[c] ** 2 + floor) / max(float(np.mean(grad_mag(x[c]) ** 2)), 1e-6) for c in range(3)]
    out = wiener_gaussian(x, float(np.sqrt(sigma * sigma - r["sigma"] ** 2)), lam, r["pad"])
    return np.clip(out, 0, 1).astype(chw.dtype), sigma, True
