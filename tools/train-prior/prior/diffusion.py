"""Gaussian diffusion as guided-diffusion implements it (written for this project): linear schedule,
epsilon prediction, learned-range variance, the hybrid loss of improved DDPM, respaced ancestral
sampling. Tables are float64 numpy; the network always sees ORIGINAL timesteps (0..T-1)."""

from __future__ import annotations

import math
from typing import Callable, Dict, List, Optional

import numpy as np
import torch


def linear_betas(steps: int = 1000) -> np.ndarray:
    scale = 1000 / steps
    return np.linspace(scale * 1e-4, scale * 0.02, steps, dtype=np.float64)


def space_timesteps(num_timesteps: int, count: int) -> List[int]:
    """guided-diffusion's ``space_timesteps(T, str(count))`` for a single section: evenly strided,
    rounded, first 0 and last T-1 (e.g. 100 -> 0, 10, 20, ..., 989, 999)."""
    if count == num_timesteps:
        return list(range(num_timesteps))
    if count == 1:
        return [0]
    stride = (num_timesteps - 1) / (count - 1)
    taken, cur = [], 0.0
    for _ in range(count):  # accumulated like the original, so rounding ties fall the same way
        taken.append(round(cur))
        cur += stride
    return sorted(set(taken))


class Diffusion:
    """A (possibly respaced) diffusion chain. ``timesteps[k]`` is the original step of index k."""

    def __init__(self, base_betas: np.ndarray, keep: Optional[List[int]] = None):
        base_abar = np.cumprod(1.0 - base_betas)
        self.timesteps = np.arange(len(base_betas)) if keep is None else np.asarray(sorted(keep))
        abar = base_abar[self.timesteps]
        prev = np.append(1.0, abar[:-1])
        betas = 1.0 - abar / prev
        self.num_timesteps = len(betas)
        self.betas = betas
        self.alphas_cumprod = abar
        self.alphas_cumprod_prev = prev
        self.sqrt_abar = np.sqrt(abar)
        self.sqrt_one_minus_abar = np.sqrt(1.0 - abar)
        self.sqrt_recip_abar = np.sqrt(1.0 / abar)
        self.sqrt_recipm1_abar = np.sqrt(1.0 / abar - 1.0)
        self.posterior_variance = betas * (1.0 - prev) / (1.0 - abar)
        self.posterior_log_variance_clipped = np.log(np.append(self.posterior_variance[1], self.posterior_variance[1:]))
        self.posterior_mean_coef1 = betas * np.sqrt(prev) / (1.0 - abar)
        self.posterior_mean_coef2 = (1.0 - prev) * np.sqrt(1.0 - betas) / (1.0 - abar)
        self.log_betas = np.log(betas)

    @staticmethod
    def linear(steps: int = 1000, respace: Optional[int] = None) -> "Diffusion":
        betas = linear_betas(steps)
        return Diffusion(betas, None if respace is None else space_timesteps(steps, respace))

    # -- helpers -------------------------------------------------------------------------------
    @staticmethod
    def _take(table: np.ndarray, k: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
        v = torch.as_tensor(table, device=k.device)[k].to(torch.float32)
        return v.reshape(-1, *([1] * (like.dim() - 1)))

    def original_t(self, k: torch.Tensor) -> torch.Tensor:
        return torch.as_tensor(self.timesteps, device=k.device)[k]

    def q_sample(self, x0: torch.Tensor, k: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        return self._take(self.sqrt_abar, k, x0) * x0 + self._take(self.sqrt_one_minus_abar, k, x0) * noise

    def predict_x0(self, x_t: torch.Tensor, k: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
        return self._take(self.sqrt_recip_abar, k, x_t) * x_t - self._take(self.sqrt_recipm1_abar, k, x_t) * eps

    def q_posterior(self, x0: torch.Tensor, x_t: torch.Tensor, k: torch.Tensor):
        mean = self._take(self.posterior_mean_coef1, k, x_t) * x0 + self._take(self.posterior_mean_coef2, k, x_t) * x_t
        return mean, self._take(self.posterior_log_variance_clipped, k, x_t)

    def model_log_variance(self, v: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
        frac = (v + 1) / 2
        return frac * self._take(self.log_betas, k, v) + (1 - frac) * self._take(self.posterior_log_variance_clipped, k, v)

    def p_mean_variance(self, out: torch.Tensor, x_t: torch.Tensor, k: torch.Tensor, clip: bool = True) -> Dict[str, torch.Tensor]:
        """From the raw 6-channel network output at respaced index k."""
        eps, v = out[:, :3], out[:, 3:]
        x0 = self.predict_x0(x_t, k, eps)
        if clip:
            x0 = x0.clamp(-1, 1)
        mean, _ = self.q_posterior(x0, x_t, k)
        return {"mean": mean, "log_variance": self.model_log_variance(v, k), "pred_xstart": x0, "eps": eps}

    # -- training ------------------------------------------------------------------------------
    def training_losses(self, model: Callable, x0: torch.Tensor, k: torch.Tensor, noise: torch.Tensor,
                        learn_sigma: bool = True) -> Dict[str, torch.Tensor]:
        """Hybrid loss (improved DDPM): per-sample MSE on epsilon plus, for a learned variance, the
        variational bound term L_t in bits per dimension with the mean's gradient stopped (so the VLB
        only trains the variance). Added unweighted per t, which is lambda = 0.001 on L_vlb = T*E[L_t]."""
        x_t = self.q_sample(x0, k, noise)
        out = model(x_t, self.original_t(k)).float()  # losses in float32 even under autocast
        mse = ((out[:, :3] - noise) ** 2).mean(dim=(1, 2, 3))
        terms = {"mse": mse}
        if learn_sigma:
            frozen = torch.cat([out[:, :3].detach(), out[:, 3:]], dim=1)
            terms["vb"] = self.vb_terms_bpd(frozen, x0, x_t, k) * (self.num_timesteps / 1000.0)
            terms["loss"] = mse + terms["vb"]
        else:
            terms["loss"] = mse
        return terms

    def vb_terms_bpd(self, out: torch.Tensor, x0: torch.Tensor, x_t: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
        true_mean, true_logvar = self.q_posterior(x0, x_t, k)
        p = self.p_mean_variance(out, x_t, k, clip=False)
        kl = normal_kl(true_mean, true_logvar, p["mean"], p["log_variance"]).mean(dim=(1, 2, 3)) / math.log(2.0)
        nll = -discretized_gaussian_log_likelihood(x0, p["mean"], 0.5 * p["log_variance"]).mean(dim=(1, 2, 3)) / math.log(2.0)
        return torch.where(k == 0, nll, kl)

    # -- sampling ------------------------------------------------------------------------------
    @torch.no_grad()
    def p_sample_loop(self, model: Callable, noise: torch.Tensor, generator: torch.Generator,
                      start: Optional[int] = None) -> torch.Tensor:
        """Ancestral sampling with the learned variance from x at respaced index ``start`` (default
        the last) down to 0; x0 clipped to [-1, 1] at every step. Noise drawn from ``generator``."""
        x = noise
        first = self.num_timesteps - 1 if start is None else start
        for i in range(first, -1, -1):
            k = torch.full((x.shape[0],), i, dtype=torch.long, device=x.device)
            p = self.p_mean_variance(model(x, self.original_t(k)), x, k)
            if i > 0:
                z = torch.randn(x.shape, generator=generator, device="cpu").to(x.device)
                x = p["mean"] + torch.exp(0.5 * p["log_variance"]) * z
            else:
                x = p["mean"]
        return x


def normal_kl(mean1, logvar1, mean2, logvar2):
    return 0.5 * (-1.0 + logvar2 - logvar1 + torch.exp(logvar1 - logvar2) + (mean1 - mean2) ** 2 * torch.exp(-logvar2))


def _approx_std_normal_cdf(x):
    return 0.5 * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def discretized_gaussian_log_likelihood(x, means, log_scales):
    """log-likelihood of 8-bit data x in [-1, 1] under a Gaussian discretised to bins of width 2/255."""
    centered = x - means
    inv = torch.exp(-log_scales)
    cdf_plus = _approx_std_normal_cdf(inv * (centered + 1.0 / 255.0))
    cdf_min = _approx_std_normal_cdf(inv * (centered - 1.0 / 255.0))
    log_cdf_plus = torch.log(cdf_plus.clamp(min=1e-12))
    log_one_minus_cdf_min = torch.log((1.0 - cdf_min).clamp(min=1e-12))
    log_delta = torch.log((cdf_plus - cdf_min).clamp(min=1e-12))
    return torch.where(x < -0.999, log_cdf_plus, torch.where(x > 0.999, log_one_minus_cdf_min, log_delta))
