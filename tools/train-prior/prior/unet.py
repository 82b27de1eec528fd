"""guided-diffusion's UNetModel, written for this project.

Module attributes are named so that ``state_dict()`` has exactly guided-diffusion's tensor names and
shapes (see ../shared/docs/adm-unet.md and packages/models/src/unet/tensor-list.ts): the TypeScript
loader reads our checkpoints like any public one. Only what face models use is implemented (no class
conditioning); both attention orders, scale-shift or additive embedding, conv or ResBlock resampling.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import List, Optional, Union

import torch
import torch.nn.functional as F
from torch import nn

DEFAULT_CHANNEL_MULT = {512: (0.5, 1, 1, 2, 2, 4, 4), 256: (1, 1, 2, 2, 4, 4), 128: (1, 1, 2, 3, 4), 64: (1, 2, 3, 4)}


@dataclass
class UNetConfig:
    """The fields of the TypeScript ``UNetConfig`` (create_model's argument names)."""

    image_size: int = 64
    num_channels: int = 64
    num_res_blocks: Union[int, List[int]] = 1
    channel_mult: List[float] = field(default_factory=lambda: [1, 2, 2, 2])
    attention_resolutions: str = "16,8"
    num_heads: int = 4
    num_head_channels: int = 64
    num_heads_upsample: int = -1
    use_scale_shift_norm: bool = True
    resblock_updown: bool = True
    learn_sigma: bool = True
    use_new_attention_order: bool = False
    dropout: float = 0.0

    def to_json_dict(self) -> dict:
        return asdict(self)

    @staticmethod
    def from_json_dict(d: dict) -> "UNetConfig":
        known = {k: v for k, v in d.items() if k in UNetConfig.__dataclass_fields__}
        cfg = UNetConfig(**known)
        if isinstance(cfg.channel_mult, str):
            cfg.channel_mult = [float(s) for s in cfg.channel_mult.split(",") if s.strip()] or list(
                DEFAULT_CHANNEL_MULT[cfg.image_size]
            )
        return cfg


def group_norm(channels: int) -> nn.GroupNorm:
    """guided-diffusion's ``normalization``: 32 groups, eps 1e-5, statistics in float32."""
    return GroupNorm32(32, channels)


class GroupNorm32(nn.GroupNorm):
    def forward(self, x: torch.Tensor) -> torch.Tensor:  # noqa: D401
        return super().forward(x.float()).type(x.dtype)


def timestep_embedding(t: torch.Tensor, dim: int, max_period: float = 10000.0) -> torch.Tensor:
    """Sinusoidal embedding, cosines first, frequencies exp(-ln(max_period) * i / half)."""
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(half, dtype=torch.float32, device=t.device) / half)
    args = t[:, None].float() * freqs[None]
    emb = torch.cat([torch.cos(args), torch.sin(args)], dim=-1)
    if dim % 2:
        emb = torch.cat([emb, torch.zeros_like(emb[:, :1])], dim=-1)
    return emb


def zeroed(module: nn.Module) -> nn.Module:
    for p in module.parameters():
        nn.init.zeros_(p)
    return module


class Upsample(nn.Module):
    """Nearest x2, then (with a conv) a 3x3 convolution stored as ``conv``."""

    def __init__(self, channels: int, use_conv: bool):
        super().__init__()
        self.use_conv = use_conv
        if use_conv:
            self.conv = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.interpolate(x, scale_factor=2, mode="nearest")
        return self.conv(x) if self.use_conv else x


class Downsample(nn.Module):
    """3x3 stride-2 convolution stored as ``op`` (padding 1), or a 2x2 average pool."""

    def __init__(self, channels: int, use_conv: bool):
        super().__init__()
        self.op = nn.Conv2d(channels, channels, 3, stride=2, padding=1) if use_conv else nn.AvgPool2d(2, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.op(x)


class ResBlock(nn.Module):
    def __init__(self, channels: int, emb_channels: int, dropout: float, out_channels: int,
                 use_scale_shift_norm: bool, up: bool = False, down: bool = False):
        super().__init__()
        self.use_scale_shift_norm = use_scale_shift_norm
        self.in_layers = nn.Sequential(group_norm(channels), nn.SiLU(), nn.Conv2d(channels, out_channels, 3, padding=1))
        self.updown = up or down
        if up:
            self.h_upd, self.x_upd = Upsample(channels, False), Upsample(channels, False)
        elif down:
            self.h_upd, self.x_upd = Downsample(channels, False), Downsample(channels, False)
        else:
            self.h_upd = self.x_upd = nn.Identity()
        self.emb_layers = nn.Sequential(
            nn.SiLU(), nn.Linear(emb_channels, 2 * out_channels if use_scale_shift_norm else out_channels)
        )
        self.out_layers = nn.Sequential(
            group_norm(out_channels), nn.SiLU(), nn.Dropout(p=dropout),
            zeroed(nn.Conv2d(out_channels, out_channels, 3, padding=1)),
        )
        self.skip_connection = (
            nn.Identity() if out_channels == channels else nn.Conv2d(channels, out_channels, 1)
        )

    def forward(self, x: torch.Tensor, emb: torch.Tensor) -> torch.Tensor:
        if self.updown:
            norm_act, conv = self.in_layers[:-1], self.in_layers[-1]
            h = conv(self.h_upd(norm_act(x)))
            x = self.x_upd(x)
        else:
            h = self.in_layers(x)
        e = self.emb_layers(emb).type(h.dtype)[:, :, None, None]
        if self.use_scale_shift_norm:
            norm, rest = self.out_layers[0], self.out_layers[1:]
            scale, shift = torch.chunk(e, 2, dim=1)
            h = rest(norm(h) * (1 + scale) + shift)
        else:
            h = self.out_layers(h + e)
        return self.skip_connection(x) + h


class AttentionBlock(nn.Module):
    def __init__(self, channels: int, num_heads: int, num_head_channels: int, new_order: bool):
        super().__init__()
        if num_head_channels == -1:
            self.heads = num_heads
        else:
            assert channels % num_head_channels == 0, f"{channels} channels, heads of {num_head_channels}"
            self.heads = channels // num_head_channels
        self.new_order = new_order
        self.norm = group_norm(channels)
        self.qkv = nn.Conv1d(channels, 3 * channels, 1)
        self.proj_out = zeroed(nn.Conv1d(channels, channels, 1))

    def forward(self, x: torch.Tensor, emb: Optional[torch.Tensor] = None) -> torch.Tensor:
        b, c, hgt, wid = x.shape
        flat = x.reshape(b, c, -1)
        qkv = self.qkv(self.norm(flat))
        n = self.heads
        ch = c // n
        length = flat.shape[-1]
        if self.new_order:
            q, k, v = (part.reshape(b * n, ch, length) for part in qkv.chunk(3, dim=1))
        else:
            q, k, v = qkv.reshape(b * n, 3 * ch, length).split(ch, dim=1)
        scale = 1.0 / math.sqrt(math.sqrt(ch))
        weight = torch.einsum("bct,bcs->bts", q * scale, k * scale)
        weight = torch.softmax(weight.float(), dim=-1).type(weight.dtype)
        h = torch.einsum("bts,bcs->bct", weight, v).reshape(b, c, length)
        return (flat + self.proj_out(h)).reshape(b, c, hgt, wid)


class TimestepEmbedSequential(nn.Sequential):
    """Passes the embedding to the ResBlocks among its children."""

    def forward(self, x: torch.Tensor, emb: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        for layer in self:
            x = layer(x, emb) if isinstance(layer, ResBlock) else layer(x)
        return x


class UNetModel(nn.Module):
    def __init__(self, cfg: UNetConfig):
        super().__init__()
        self.cfg = cfg
        mc = cfg.num_channels
        mult = [m for m in cfg.channel_mult] or list(DEFAULT_CHANNEL_MULT[cfg.image_size])
        levels = len(mult)
        nrb = cfg.num_res_blocks if isinstance(cfg.num_res_blocks, list) else [cfg.num_res_blocks] * levels
        attention_ds = {cfg.image_size // int(r) for r in str(cfg.attention_resolutions).split(",") if r.strip()}
        heads_up = cfg.num_heads if cfg.num_heads_upsample == -1 else cfg.num_heads_upsample
        emb_ch = 4 * mc
        self.model_channels = mc

        def res(cin: int, cout: int, **kw) -> ResBlock:
            return ResBlock(cin, emb_ch, cfg.dropout, cout, cfg.use_scale_shift_norm, **kw)

        def attn(c: int, heads: int) -> AttentionBlock:
            return AttentionBlock(c, heads, cfg.num_head_channels, cfg.use_new_attention_order)

        self.time_embed = nn.Sequential(nn.Linear(mc, emb_ch), nn.SiLU(), nn.Linear(emb_ch, emb_ch))
        ch = input_ch = int(mult[0] * mc)
        self.input_blocks = nn.ModuleList([TimestepEmbedSequential(nn.Conv2d(3, ch, 3, padding=1))])
        skips = [ch]
        ds = 1
        for level, m in enumerate(mult):
            for _ in range(nrb[level]):
                layers: List[nn.Module] = [res(ch, int(m * mc))]
                ch = int(m * mc)
                if ds in attention_ds:
                    layers.append(attn(ch, cfg.num_heads))
                self.input_blocks.append(TimestepEmbedSequential(*layers))
                skips.append(ch)
            if level != levels - 1:
                self.input_blocks.append(TimestepEmbedSequential(
                    res(ch, ch, down=True) if cfg.resblock_updown else Downsample(ch, True)))
                skips.append(ch)
                ds *= 2
        self.middle_block = TimestepEmbedSequential(res(ch, ch), attn(ch, cfg.num_heads), res(ch, ch))
        self.output_blocks = nn.ModuleList([])
        for level, m in list(enumerate(mult))[::-1]:
            for i in range(nrb[level] + 1):
                layers = [res(ch + skips.pop(), int(m * mc))]
                ch = int(m * mc)
                if ds in attention_ds:
                    layers.append(attn(ch, heads_up))
                if level and i == nrb[level]:
                    layers.append(res(ch, ch, up=True) if cfg.resblock_updown else Upsample(ch, True))
                    ds //= 2
                self.output_blocks.append(TimestepEmbedSequential(*layers))
        self.out = nn.Sequential(group_norm(ch), nn.SiLU(),
                                 zeroed(nn.Conv2d(input_ch, 6 if cfg.learn_sigma else 3, 3, padding=1)))

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        """``x`` NCHW in [-1, 1], ``t`` original timesteps (0..999) -> eps (and v) NCHW."""
        emb = self.time_embed(timestep_embedding(t, self.model_channels))
        hs = []
        h = x
        for block in self.input_blocks:
            h = block(h, emb)
            hs.append(h)
        h = self.middle_block(h, emb)
        for block in self.output_blocks:
            h = block(torch.cat([h, hs.pop()], dim=1), emb)
        return self.out(h.type(x.dtype))


def param_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.state_dict().values())


def forward_macs(cfg: UNetConfig) -> int:
    """Multiply-accumulates of one forward at image_size (convs, linears and attention matmuls)."""
    model = UNetModel(cfg)
    macs = 0

    def conv_hook(mod, inp, out):
        nonlocal macs
        k = mod.weight[0].numel()
        macs += out.numel() * k

    def attn_hook(mod, inp, out):
        nonlocal macs
        b, c, hgt, wid = inp[0].shape
        macs += 2 * b * (hgt * wid) ** 2 * c

    for mod in model.modules():
        if isinstance(mod, (nn.Conv2d, nn.Conv1d, nn.Linear)):
            mod.register_forward_hook(conv_hook)
        elif isinstance(mod, AttentionBlock):
            mod.register_forward_hook(attn_hook)
    with torch.no_grad():
        model(torch.zeros(1, 3, cfg.image_size, cfg.image_size), torch.zeros(1))
    return macs
