#!/usr/bin/python3
"""PyTorch reference timing for bench/unet-forward.ts.

Builds a guided-diffusion-compatible UNetModel (same modules, state-dict names and forward maths as
openai/guided-diffusion's unet.py) from the resolved configuration that unet-forward.ts passes as
JSON, with random weights, and times its forward pass on the CPU with a fixed thread count.

Prints one JSON object on stdout. Installs nothing: without torch it prints {"skipped": reason}.

    /usr/bin/python3 bench/unet_forward_torch.py --config '<json>' [--size 256] [--batch 1]
        [--threads 1] [--repeats 3]
    /usr/bin/python3 bench/unet_forward_torch.py --verify WEIGHTS.pt IO.safetensors --config '<json>'
        (checks this module against guided-diffusion's output stored in a fixture io file)
"""

import argparse
import json
import math
import resource
import statistics
import struct
import sys
import time


def build_unet(torch, cfg):
    """The UNetModel described by the resolved config (keys as in unet-forward.ts's torchConfig)."""
    nn = torch.nn
    F = torch.nn.functional

    class GroupNorm32(nn.GroupNorm):
        def forward(self, x):
            return super().forward(x.float()).type(x.dtype)

    def norm(ch):
        return GroupNorm32(32, ch)

    def resample(x, kind):
        if kind == "up":
            return F.interpolate(x, scale_factor=2, mode="nearest")
        return F.avg_pool2d(x, 2, 2)

    class ResBlock(nn.Module):
        def __init__(self, cin, cout, emb, scale_shift, kind=None):
            super().__init__()
            self.kind = kind
            self.scale_shift = scale_shift
            self.in_layers = nn.Sequential(norm(cin), nn.SiLU(), nn.Conv2d(cin, cout, 3, padding=1))
            self.emb_layers = nn.Sequential(nn.SiLU(), nn.Linear(emb, 2 * cout if scale_shift else cout))
            self.out_layers = nn.Sequential(
                norm(cout), nn.SiLU(), nn.Dropout(0.0), nn.Conv2d(cout, cout, 3, padding=1)
            )
            self.skip_connection = nn.Identity() if cin == cout else nn.Conv2d(cin, cout, 1)

        def forward(self, x, emb):
            if self.kind:
                h = self.in_layers[1](self.in_layers[0](x))
                h = self.in_layers[2](resample(h, self.kind))
                x = resample(x, self.kind)
            else:
                h = self.in_layers(x)
            e = self.emb_layers(emb)[:, :, None, None]
            if self.scale_shift:
                scale, shift = torch.chunk(e, 2, dim=1)
                h = self.out_layers[0](h) * (1 + scale) + shift
                for layer in self.out_layers[1:]:
                    h = layer(h)
            else:
                h = self.out_layers(h + e)
            return self.skip_connection(x) + h

    class AttentionBlock(nn.Module):
        def __init__(self, ch, heads, new_order):
            super().__init__()
            self.heads = heads
            self.new_order = new_order
            self.norm = norm(ch)
            self.qkv = nn.Conv1d(ch, 3 * ch, 1)
            self.proj_out = nn.Conv1d(ch, ch, 1)

        def forward(self, x, emb):
            b, c, h, w = x.shape
            tokens = x.reshape(b, c, h * w)
            qkv = self.qkv(self.norm(tokens))
            t = h * w
            width = c // self.heads
            if self.new_order:
                q, k, v = (u.reshape(b * self.heads, width, t) for u in qkv.chunk(3, dim=1))
            else:
                q, k, v = qkv.reshape(b * self.heads, 3 * width, t).split(width, dim=1)
            scale = 1 / math.sqrt(math.sqrt(width))
            weights = torch.einsum("bct,bcs->bts", q * scale, k * scale)
            weights = torch.softmax(weights.float(), dim=-1).type(weights.dtype)
            mixed = torch.einsum("bts,bcs->bct", weights, v).reshape(b, c, t)
            return (tokens + self.proj_out(mixed)).reshape(b, c, h, w)

    class Downsample(nn.Module):
        def __init__(self, ch):
            super().__init__()
            self.op = nn.Conv2d(ch, ch, 3, stride=2, padding=1)

        def forward(self, x, emb):
            return self.op(x)

    class Upsample(nn.Module):
        def __init__(self, ch):
            super().__init__()
            self.conv = nn.Conv2d(ch, ch, 3, padding=1)

        def forward(self, x, emb):
            return self.conv(F.interpolate(x, scale_factor=2, mode="nearest"))

    class FirstConv(nn.Conv2d):
        def forward(self, x, emb):
            return super().forward(x)

    class Block(nn.Sequential):
        def forward(self, x, emb):
            for layer in self:
                x = layer(x, emb)
            return x

    class UNetModel(nn.Module):
        def __init__(self):
            super().__init__()
            mc = cfg["model_channels"]
            e = 4 * mc
            ss = cfg["scale_shift"]
            updown = cfg["resblock_updown"]
            attn_ds = set(cfg["attention_ds"])
            self.mc = mc

            def heads(ch, decoder):
                if cfg["num_head_channels"] == -1:
                    return cfg["num_heads_upsample"] if decoder else cfg["num_heads"]
                return ch // cfg["num_head_channels"]

            def attention(ch, decoder):
                return AttentionBlock(ch, heads(ch, decoder), cfg["new_attention_order"])

            self.time_embed = nn.Sequential(nn.Linear(mc, e), nn.SiLU(), nn.Linear(e, e))
            ch = int(cfg["channel_mult"][0] * mc)
            self.input_blocks = nn.ModuleList([Block(FirstConv(3, ch, 3, padding=1))])
            chans = [ch]
            ds = 1
            levels = len(cfg["channel_mult"])
            for level, mult in enumerate(cfg["channel_mult"]):
                for _ in range(cfg["num_res_blocks"][level]):
                    layers = [ResBlock(ch, int(mult * mc), e, ss)]
                    ch = int(mult * mc)
                    if ds in attn_ds:
                        layers.append(attention(ch, False))
                    self.input_blocks.append(Block(*layers))
                    chans.append(ch)
                if level != levels - 1:
                    self.input_blocks.append(Block(ResBlock(ch, ch, e, ss, "down") if updown else Downsample(ch)))
                    chans.append(ch)
                    ds *= 2
            self.middle_block = Block(ResBlock(ch, ch, e, ss), attention(ch, False), ResBlock(ch, ch, e, ss))
            self.output_blocks = nn.ModuleList([])
            for level, mult in list(enumerate(cfg["channel_mult"]))[::-1]:
                for i in range(cfg["num_res_blocks"][level] + 1):
                    layers = [ResBlock(ch + chans.pop(), int(mult * mc), e, ss)]
                    ch = int(mult * mc)
                    if ds in attn_ds:
                        layers.append(attention(ch, True))
                    if level and i == cfg["num_res_blocks"][level]:
                        layers.append(ResBlock(ch, ch, e, ss, "up") if updown else Upsample(ch))
                        ds //= 2
                    self.output_blocks.append(Block(*layers))
            self.out = nn.Sequential(norm(ch), nn.SiLU(), nn.Conv2d(ch, cfg["out_channels"], 3, padding=1))

        def timestep_embedding(self, t):
            half = self.mc // 2
            freqs = torch.exp(-math.log(10000) * torch.arange(0, half, dtype=torch.float32) / half)
            args = t[:, None].float() * freqs[None]
            emb = torch.cat([torch.cos(args), torch.sin(args)], dim=-1)
            if self.mc % 2:
                emb = torch.cat([emb, torch.zeros_like(emb[:, :1])], dim=-1)
            return emb

        def forward(self, x, t):
            emb = self.time_embed(self.timestep_embedding(t))
            hs = []
            h = x
            for block in self.input_blocks:
                h = block(h, emb)
                hs.append(h)
            h = self.middle_block(h, emb)
            for block in self.output_blocks:
                h = block(torch.cat([h, hs.pop()], dim=1), emb)
            return self.out(h)

    return UNetModel()


def read_safetensors(torch, path):
    """Minimal safetensors reader for the F32/I64 tensors of a fixture io file."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    base = 8 + n
    dtypes = {"F32": torch.float32, "I64": torch.int64}
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        buf = bytearray(data[base + start : base + end])
        out[name] = torch.frombuffer(buf, dtype=dtypes[info["dtype"]]).reshape(info["shape"])
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", required=True, help="resolved UNet config as JSON")
    parser.add_argument("--size", type=int, default=None)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--verify", nargs=2, metavar=("WEIGHTS", "IO"))
    args = parser.parse_args()
    try:
        import torch
    except ImportError:
        print(json.dumps({"skipped": "torch is not installed (apt-get install python3-torch libopenblas0-pthread)"}))
        return

    cfg = json.loads(args.config)
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = build_unet(torch, cfg).eval()

    if args.verify:
        model.load_state_dict(torch.load(args.verify[0], map_location="cpu"))
        io = read_safetensors(torch, args.verify[1])
        with torch.no_grad():
            out = model(io["x"], io["t"])
        err = ((out - io["out"]).abs() / io["out"].abs().clamp(min=1)).max().item()
        print(json.dumps({"verify_max_rel_diff": err}))
        return

    size = args.size or cfg["image_size"]
    x = torch.randn(args.batch, 3, size, size)
    t = torch.full((args.batch,), 500, dtype=torch.int64)
    times = []
    with torch.no_grad():
        model(x, t)  # warm-up
        for _ in range(args.repeats):
            start = time.perf_counter()
            model(x, t)
            times.append((time.perf_counter() - start) * 1000)
    print(
        json.dumps(
            {
                "torch": torch.__version__,
                "threads": torch.get_num_threads(),
                "params": sum(p.numel() for p in model.parameters()),
                "ms_per_forward": statistics.median(times),
                "times_ms": times,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


if __name__ == "__main__":
    sys.exit(main())
