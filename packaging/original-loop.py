#!/usr/bin/env python3
"""The original VQGAN-CLIP optimisation loop, timed: the baseline that `vqclip bench step` is compared with.

It runs the loop of the public VQGAN-CLIP notebooks (Katherine Crowson's, as packaged in nerdyrodent/VQGAN-CLIP's
generate.py) on the ORIGINAL model code: taming-transformers' Decoder (CompVis/taming-transformers,
taming/modules/diffusionmodules/model.py) and OpenAI's CLIP model (openai/CLIP, clip/model.py), both imported from
checkouts you name, with real-size random weights (vqgan_imagenet_f16_16384 and ViT-B/32), like
`vqclip bench step --random-weights`. Nothing from those projects is copied here; the loop itself (vector
quantisation with a straight-through gradient, clamp_with_grad, cutouts with kornia's augmentations, the spherical
distance loss, Adam) is restated from its published semantics. kornia is not needed: its flip, affine (border
padding), perspective (zeros padding), hue/saturation jitter and noise are restated with grid_sample, resampling
after each augmentation as kornia does.

    python3 packaging/original-loop.py --taming DIR --clip DIR --size 256x256 --cutouts 8 --steps 3

Last line: 'seconds per step: X' (as `vqclip bench step` prints). --stages splits each step's time into the
decoder's forward, cutouts and augmentations, CLIP's forward, CLIP's backward, the decoder's backward and Adam (the
backward then runs in two passes, image first, which computes the same gradient).
Needs Python 3 with torch and numpy (Debian: apt install python3-torch).
"""
import argparse
import importlib.util
import math
import os
import resource
import sys
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--taming", default=os.environ.get("VQCLIP_TAMING_DIR"),
                   help="checkout of CompVis/taming-transformers (or $VQCLIP_TAMING_DIR)")
    p.add_argument("--clip", default=os.environ.get("VQCLIP_CLIP_DIR"),
                   help="checkout of openai/CLIP (or $VQCLIP_CLIP_DIR)")
    p.add_argument("--size", default="256x256", help="image size WxH (default 256x256)")
    p.add_argument("--cutouts", type=int, default=32, help="cutouts per step (default 32, as bench step)")
    p.add_argument("--steps", type=int, default=3, help="timed steps after one warm-up step (default 3)")
    p.add_argument("--threads", type=int, default=os.cpu_count(), help="torch threads (default: all cores)")
    p.add_argument("--stages", action="store_true", help="also print seconds per stage")
    return p.parse_args()


def load_module(name, path):
    if not os.path.isfile(path):
        sys.exit(f"original-loop: {path} not found (is the checkout complete?)")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    a = parse_args()
    if not a.taming or not a.clip:
        sys.exit("original-loop: name the checkouts of CompVis/taming-transformers and openai/CLIP with --taming and "
                 "--clip (or VQCLIP_TAMING_DIR and VQCLIP_CLIP_DIR)")
    try:
        import torch
        import torch.nn.functional as F
    except ImportError:
        sys.exit("original-loop: this Python has no torch (Debian: apt install python3-torch)")
    width, height = (int(v) for v in a.size.lower().split("x"))
    torch.set_num_threads(a.threads)
    # the model code itself, imported from the checkouts (neither file imports anything beyond torch and numpy)
    taming = load_module("taming_model", os.path.join(a.taming, "taming/modules/diffusionmodules/model.py"))
    clip_model = load_module("clip_model", os.path.join(a.clip, "clip/model.py"))

    torch.manual_seed(1)
    # vqgan_imagenet_f16_16384's ddconfig and codebook
    ddconfig = dict(double_z=False, z_channels=256, resolution=256, in_channels=3, out_ch=3, ch=128,
                    ch_mult=[1, 1, 2, 2, 4], num_res_blocks=2, attn_resolutions=[16], dropout=0.0)
    embed_dim, n_embed = 256, 16384
    decoder = taming.Decoder(**ddconfig).eval().requires_grad_(False)
    post_quant_conv = torch.nn.Conv2d(embed_dim, ddconfig["z_channels"], 1).requires_grad_(False)
    codebook = torch.empty(n_embed, embed_dim).uniform_(-1.0 / n_embed, 1.0 / n_embed)
    # ViT-B/32
    torch.manual_seed(2)
    clip = clip_model.CLIP(embed_dim=512, image_resolution=224, vision_layers=12, vision_width=768,
                           vision_patch_size=32, context_length=77, vocab_size=49408, transformer_width=512,
                           transformer_heads=8, transformer_layers=12).eval().requires_grad_(False)
    cut_size = clip.visual.input_resolution
    mean = torch.tensor([0.48145466, 0.4578275, 0.40821073]).view(1, 3, 1, 1)
    std = torch.tensor([0.26862954, 0.26130258, 0.27577711]).view(1, 3, 1, 1)
    with torch.no_grad():
        target = F.normalize(clip.encode_text(torch.randint(1, 49407, (1, 77))).float(), dim=1)

    class ReplaceGrad(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x_forward, x_backward):
            ctx.shape = x_backward.shape
            return x_forward

        @staticmethod
        def backward(ctx, grad_in):
            return None, grad_in.sum_to_size(ctx.shape)

    class ClampWithGrad(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, lo, hi):
            ctx.lo, ctx.hi = lo, hi
            ctx.save_for_backward(x)
            return x.clamp(lo, hi)

        @staticmethod
        def backward(ctx, grad_in):
            x, = ctx.saved_tensors
            return grad_in * (grad_in * (x - x.clamp(ctx.lo, ctx.hi)) >= 0), None, None

    def vector_quantize(x, cb):
        d = x.pow(2).sum(dim=-1, keepdim=True) + cb.pow(2).sum(dim=1) - 2 * x @ cb.T
        return ReplaceGrad.apply(F.one_hot(d.argmin(-1), cb.shape[0]).to(d.dtype) @ cb, x)

    def synth(z):
        zq = vector_quantize(z.movedim(1, 3), codebook).movedim(3, 1)
        return ClampWithGrad.apply(decoder(post_quant_conv(zq)).add(1).div(2), 0, 1)

    def grid(theta, n):
        return F.affine_grid(theta, (n, 3, cut_size, cut_size), align_corners=False)

    def augment(batch):
        n = batch.shape[0]
        eye = torch.eye(2, 3).expand(n, 2, 3).clone()
        flip = torch.rand(n) < 0.5
        eye[flip, 0, 0] = -1
        batch = F.grid_sample(batch, grid(eye, n), padding_mode="border", align_corners=False)
        # RandomAffine(degrees=15, translate=0.1, p=0.7, padding_mode='border')
        on = (torch.rand(n) < 0.7).float()
        ang = (torch.rand(n) * 30 - 15) * math.pi / 180 * on
        shift = (torch.rand(n, 2) * 0.4 - 0.2) * on[:, None]
        theta = torch.stack([torch.stack([ang.cos(), -ang.sin(), shift[:, 0]], 1),
                             torch.stack([ang.sin(), ang.cos(), shift[:, 1]], 1)], 1)
        batch = F.grid_sample(batch, grid(theta, n), padding_mode="border", align_corners=False)
        # RandomPerspective(0.7, p=0.7): corners moved inward, zeros padding (a per-pixel projective grid)
        on = (torch.rand(n) < 0.7).float()
        base = grid(torch.eye(2, 3).expand(n, 2, 3), n)
        corner = torch.rand(n, 1, 1, 2) * 0.7 * on[:, None, None, None]
        warped = base * (1 - corner * (1 - base.abs().flip(-1)) / 2)
        batch = F.grid_sample(batch, warped, padding_mode="zeros", align_corners=False)
        # ColorJitter(hue=0.1, saturation=0.1, p=0.7) in HSV, as kornia
        on = (torch.rand(n, 1, 1, 1) < 0.7).float()
        hue = (torch.rand(n, 1, 1, 1) * 0.2 - 0.1) * on
        sat = 1 + (torch.rand(n, 1, 1, 1) * 0.2 - 0.1) * on
        mx, arg = batch.max(1, keepdim=True)
        mn = batch.min(1, keepdim=True)[0]
        delta = mx - mn
        s = delta / (mx + 1e-8)
        r, g, b = batch[:, 0:1], batch[:, 1:2], batch[:, 2:3]
        dc = delta + 1e-8
        h = torch.where(arg == 0, (g - b) / dc % 6, torch.where(arg == 1, (b - r) / dc + 2, (r - g) / dc + 4)) / 6
        h = (h + hue) % 1
        s = (s * sat).clamp(0, 1)
        hh = h * 6
        k = torch.cat([(5 + hh) % 6, (3 + hh) % 6, (1 + hh) % 6], 1)
        batch = mx - mx * s * torch.minimum(k, 4 - k).clamp(0, 1)
        # noise, std uniform in [0, 0.1) per cutout
        facs = batch.new_empty([n, 1, 1, 1]).uniform_(0, 0.1)
        return batch + facs * torch.randn_like(batch)

    def make_cutouts(image):
        side_y, side_x = image.shape[2:4]
        max_size = min(side_x, side_y)
        min_size = min(side_x, side_y, cut_size)
        cutouts = []
        for _ in range(a.cutouts):
            size = int(torch.rand([]) * (max_size - min_size) + min_size)
            ox = torch.randint(0, side_x - size + 1, ())
            oy = torch.randint(0, side_y - size + 1, ())
            cutout = image[:, :, oy:oy + size, ox:ox + size]
            cutouts.append(F.adaptive_avg_pool2d(cutout, cut_size))
        return augment(torch.cat(cutouts))

    def spherical_loss(features):
        f = F.normalize(features.unsqueeze(1), dim=2)
        dists = f.sub(target.unsqueeze(0)).norm(dim=2).div(2).arcsin().pow(2).mul(2)
        return dists.mean()

    toks = torch.randint(n_embed, [(height // 16) * (width // 16)])
    z = (F.one_hot(toks, n_embed).float() @ codebook).view(1, height // 16, width // 16, embed_dim).permute(0, 3, 1, 2)
    z.requires_grad_(True)
    z_min = codebook.min(dim=0).values.view(1, -1, 1, 1)
    z_max = codebook.max(dim=0).values.view(1, -1, 1, 1)
    opt = torch.optim.Adam([z], lr=0.15, betas=(0.9, 0.999))
    stage_names = ["decoder forward", "cutouts + augmentations", "CLIP forward", "CLIP backward",
                   "decoder backward", "Adam"]

    def step(i, stages):
        marks = [time.perf_counter()]
        opt.zero_grad(set_to_none=True)
        image = synth(z)
        marks.append(time.perf_counter())
        batch = make_cutouts(image)
        marks.append(time.perf_counter())
        features = clip.encode_image(batch.sub(mean).div(std)).float()
        loss = spherical_loss(features) + F.mse_loss(z, torch.zeros_like(z)) * (0.1 / (2 * i + 1)) / 2
        marks.append(time.perf_counter())
        if stages:
            g, = torch.autograd.grad(loss, image, retain_graph=True)
            marks.append(time.perf_counter())
            image.backward(g)
        else:
            loss.backward()
            marks.append(marks[-1])
        marks.append(time.perf_counter())
        opt.step()
        with torch.no_grad():
            z.copy_(z.maximum(z_min).minimum(z_max))
        marks.append(time.perf_counter())
        return marks, loss.item()

    print(f"models: vqgan_imagenet_f16_16384 + CLIP ViT-B/32 (random weights), original code: torch {torch.__version__}")
    print(f"size {width}x{height}, {a.cutouts} cutouts, {torch.get_num_threads()} threads")
    marks, loss = step(0, a.stages)
    print(f"warm-up step: {marks[-1] - marks[0]:.3f} s, loss {loss:.4f}")
    usage0 = resource.getrusage(resource.RUSAGE_SELF)
    total = 0.0
    per_stage = [0.0] * len(stage_names)
    for i in range(1, a.steps + 1):
        marks, _ = step(i, a.stages)
        total += marks[-1] - marks[0]
        for s in range(len(stage_names)):
            per_stage[s] += marks[s + 1] - marks[s]
    usage1 = resource.getrusage(resource.RUSAGE_SELF)
    if a.stages:
        for name, t in zip(stage_names, per_stage):
            print(f"stage {name}: {t / a.steps:.3f} s")
    print(f"process CPU seconds per step: {(usage1.ru_utime - usage0.ru_utime + usage1.ru_stime - usage0.ru_stime) / a.steps:.3f}"
          f" (user {(usage1.ru_utime - usage0.ru_utime) / a.steps:.3f}, system {(usage1.ru_stime - usage0.ru_stime) / a.steps:.3f})")
    print(f"peak memory: {usage1.ru_maxrss / 1024 / 1024:.2f} GiB")
    print(f"seconds per step: {total / a.steps:.3f}")


if __name__ == "__main__":
    main()
