#!/usr/bin/python3
"""PyTorch reference for one DifBFSR chain step (bench/chain-step.ts): the same work as restore()
does per reverse step, on the same U-Net weights, timed in parts.

Per step: the U-Net forward (no grad) and x0; the SRM/CFM work as restore() runs it by default
(SRM Adam step through the CFM fusion and the loss, y_hat recomputed, CFM Adam step, the fused
x_hat); the posterior step. Modules and loss as packages/core builds them: SRM (conv 3->64, five
residual convs, two x2 sub-pixel octaves, conv 64->3 on a bicubic base, clamped), CFM (two convs
reading concat(y_hat, x0), per-pixel softmax 3x3 kernels applied to y_hat - x0, reflect padding),
loss 1/2 mean((L(y) - L(area_down4(x_hat)))^2) with L a Gaussian (sigma 1 LR pixel) as separable
matrices, Adam (0.9, 0.999, eps 1e-7), lr 2e-3 / 5e-3. SRM warm-up iterations are timed too.

    /usr/bin/python3 bench/chain_step_torch.py WEIGHTS.safetensors '<resolved config json>'
        --threads 2 --steps 4 --warmup 3

Prints one JSON object: per-step times (ms) of each part, the warm-up iterations, peak RSS (MiB).
"""

import argparse
import json
import math
import statistics
import sys
import time

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from unet_forward_torch import build_unet, read_safetensors  # noqa: E402


def modules(torch, scale):
    nn = torch.nn
    F = torch.nn.functional

    def lrelu(x):
        return F.leaky_relu(x, 0.2)

    class Srm(nn.Module):
        def __init__(self):
            super().__init__()
            self.head = nn.Conv2d(3, 64, 3, padding=1)
            self.body = nn.ModuleList([nn.Conv2d(64, 64, 3, padding=1) for _ in range(5)])
            self.ups = nn.ModuleList([nn.Conv2d(64, 256, 3, padding=1) for _ in range(int(math.log2(scale)))])
            self.tail = nn.Conv2d(64, 3, 3, padding=1)

        def forward(self, y, base):
            h = lrelu(self.head(y))
            for conv in self.body:
                h = h + lrelu(conv(h))
            for conv in self.ups:
                h = lrelu(F.pixel_shuffle(conv(h), 2))
            return torch.clamp(base + self.tail(h), -1, 1)

    class Cfm(nn.Module):
        def __init__(self, k=3):
            super().__init__()
            self.k = k
            self.hidden = nn.Conv2d(6, 32, 3, padding=1)
            self.logits = nn.Conv2d(32, k * k, 3, padding=1)

        def forward(self, y_hat, x0):
            b, c, h, w = x0.shape
            kernels = torch.softmax(self.logits(lrelu(self.hidden(torch.cat([y_hat, x0], 1)))), 1)
            r = (self.k - 1) // 2
            patches = F.unfold(F.pad(y_hat - x0, (r, r, r, r), mode="reflect"), self.k)  # [B, C*k*k, H*W]
            filtered = (patches.view(b, c, self.k * self.k, h * w) * kernels.view(b, 1, self.k * self.k, h * w)).sum(2)
            return x0 + filtered.view(b, c, h, w)

    return Srm(), Cfm()


def matrices(torch, h, scale):
    """Area downsampling (h x H) and a Gaussian of sigma 1 (h x h, rows renormalised at the borders)."""
    area = torch.zeros(h, h * scale)
    for i in range(h):
        area[i, i * scale : (i + 1) * scale] = 1 / scale
    idx = torch.arange(h, dtype=torch.float32)
    gauss = torch.exp(-0.5 * (idx[:, None] - idx[None, :]) ** 2)
    gauss = gauss * ((idx[:, None] - idx[None, :]).abs() <= 3)
    return area, gauss / gauss.sum(1, keepdim=True)


class Chain:
    """The U-Net, the SRM and CFM with their Adam optimisers, and the image's constants."""

    def __init__(self, torch, cfg, weights):
        F = torch.nn.functional
        self.torch = torch
        self.size = cfg["image_size"]
        scale = 4
        lr_size = self.size // scale
        self.unet = build_unet(torch, cfg).eval()
        self.unet.load_state_dict(read_safetensors(torch, weights))
        for p in self.unet.parameters():
            p.requires_grad_(False)
        self.srm, self.cfm = modules(torch, scale)
        self.opt_srm = torch.optim.Adam(self.srm.parameters(), lr=2e-3, eps=1e-7)
        self.opt_cfm = torch.optim.Adam(self.cfm.parameters(), lr=5e-3, eps=1e-7)
        self.area, self.gauss = matrices(torch, lr_size, scale)
        self.y = torch.rand(1, 3, lr_size, lr_size) * 2 - 1
        self.base = F.interpolate(self.y, scale_factor=scale, mode="bicubic", align_corners=False)
        self.low_y = self.low(self.y)

    def low(self, x):
        return self.gauss @ x @ self.gauss.T

    def loss_of(self, x_hat):
        return 0.5 * ((self.low_y - self.low(self.area @ x_hat @ self.area.T)) ** 2).mean()

    def warmup_step(self):
        self.opt_srm.zero_grad()
        self.loss_of(self.srm(self.y, self.base)).backward()
        self.opt_srm.step()

    def update(self, module, opt, loss):
        """One Adam step of `module` on `loss`: gradients of its own parameters only."""
        params = list(module.parameters())
        for p, g in zip(params, self.torch.autograd.grad(loss, params)):
            p.grad = g
        opt.step()

    def contraction(self, x0):
        """restore()'s SRM/CFM work: SRM step through the fusion, y_hat again, CFM step, the fused x_hat."""
        torch = self.torch
        self.update(self.srm, self.opt_srm, self.loss_of(torch.clamp(self.cfm(self.srm(self.y, self.base), x0), -1, 1)))
        with torch.no_grad():
            y_hat = self.srm(self.y, self.base)
        self.update(self.cfm, self.opt_cfm, self.loss_of(torch.clamp(self.cfm(y_hat, x0), -1, 1)))
        with torch.no_grad():
            return torch.clamp(self.cfm(y_hat, x0), -1, 1)


def time_steps(chain, steps):
    """Run `steps` chain steps from t = 400 (stride 4), timing each part (ms)."""
    torch = chain.torch
    abar = torch.cumprod(1 - torch.linspace(1e-4, 0.02, 1000, dtype=torch.float64), 0)
    x_t = torch.randn(1, 3, chain.size, chain.size)
    parts = {"unet": [], "contraction": [], "posterior": [], "step": []}
    for k in range(steps):
        t = 400 - 4 * k
        a, a_prev = float(abar[t]), float(abar[t - 4])
        t0 = time.perf_counter()
        with torch.no_grad():
            out = chain.unet(x_t, torch.full((1,), t, dtype=torch.int64))
            eps, v = out[:, :3], out[:, 3:]
            x0 = torch.clamp(math.sqrt(1 / a) * x_t - math.sqrt(1 / a - 1) * eps, -1, 1)
        t1 = time.perf_counter()
        x_hat = chain.contraction(x0)
        t2 = time.perf_counter()
        with torch.no_grad():
            beta = 1 - a / a_prev
            mean = beta * math.sqrt(a_prev) / (1 - a) * x_hat + (1 - a_prev) * math.sqrt(1 - beta) / (1 - a) * x_t
            frac = (v + 1) / 2
            logvar = frac * math.log(beta) + (1 - frac) * math.log(beta * (1 - a_prev) / (1 - a))
            x_t = mean + torch.exp(0.5 * logvar) * torch.randn_like(x_t)
        t3 = time.perf_counter()
        for name, s in (("unet", t1 - t0), ("contraction", t2 - t1), ("posterior", t3 - t2), ("step", t3 - t0)):
            parts[name].append(s * 1000)
    return parts


def peak_rss_mib():
    try:  # VmHWM: this address space only
        return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("weights")
    parser.add_argument("config")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    chain = Chain(torch, json.loads(args.config), args.weights)
    warmup_ms = []
    for _ in range(args.warmup):
        start = time.perf_counter()
        chain.warmup_step()
        warmup_ms.append((time.perf_counter() - start) * 1000)
    parts = time_steps(chain, args.steps)
    print(
        json.dumps(
            {
                "torch": torch.__version__,
                "threads": torch.get_num_threads(),
                "parts_ms": parts,
                "median_ms": {name: statistics.median(ms[1:] or ms) for name, ms in parts.items()},
                "warmup_ms": statistics.median(warmup_ms[1:] or warmup_ms) if warmup_ms else None,
                "peak_rss_mib": peak_rss_mib(),
            }
        )
    )


if __name__ == "__main__":
    sys.exit(main())
