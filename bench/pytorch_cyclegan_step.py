"""The CycleGAN training iteration of GanSharp (preset cyclegan-emoji), written in PyTorch, for side-by-side timing
(bench/compare).

Same nets and the same work per iteration as GanSharp's CycleConsistentGan with ResnetTranslator / PatchDiscriminator:
  G, F: x * 2 - 1 -> reflection pad 3, 7x7 conv (f maps), instance norm (no affine), ReLU -> two stride-2 3x3 convs
        doubling the maps (norm, ReLU) -> B residual blocks (reflection pad 1, 3x3, norm, ReLU, reflection pad 1, 3x3,
        norm, added) -> two stride-2 transposed 3x3 convs (output padding 1; norm, ReLU) -> reflection pad 3, 7x7 conv
        to C channels -> tanh, returned as (t + 1) / 2. Convolutions keep their biases.
  With --unet L the translators are GanSharp's UnetTranslator instead: x * 2 - 1 -> e0 = 4x4 stride-2 conv (f maps);
        e_i = norm(4x4 stride-2 conv(LeakyReLU 0.2 (e_{i-1}))) with f * min(2^i, 8) maps (no norm at the innermost
        level); up: u_{L-1} = norm(4x4 stride-2 transposed conv(ReLU(e_{L-1}))), u_i = norm(tconv(ReLU([e_i, u_{i+1}]))),
        out = tanh(tconv(ReLU([e0, u1]))), returned as (t + 1) / 2.
  D_X, D_Y: x * 2 - 1 -> 4x4 conv stride 2 (f maps), LeakyReLU 0.2 -> L - 1 more 4x4 stride-2 convs doubling the maps
        (instance norm, LeakyReLU), one 4x4 stride-1 conv (norm, LeakyReLU), a 4x4 stride-1 conv to one output a patch.
  One iteration (the reference's optimize_parameters): y^ = G(x), x^ = F(y), x~ = F(y^), y~ = G(x^);
        with D frozen: G and F descend 0.5 (D_Y(y^) - 1)^2 + 0.5 (D_X(x^) - 1)^2 + 10 (|x~ - x| + |y~ - y|)
        + 5 (|G(y) - y| + |F(x) - x|) (means), one Adam over both;
        pools of 50 (the reference's rule); D_Y and D_X descend 0.5 * (0.5 (D(real) - 1)^2 + 0.5 D(pooled)^2) each,
        one Adam over both. Adam(2e-4, betas (0.5, 0.999)); gradients set to None rather than zeroed.
        With --ema B, after every iteration each translator's average moves: avg <- B avg + (1 - B) weights.
Inputs are random images of the preset's shape (3x32x32), minibatches of 1, as in gan bench.
Usage: python3 pytorch_cyclegan_step.py [size=32] [features=32] [blocks=6] [d_features=32] [d_layers=2] [steps=100] [threads=1] [warmup=10]
                                        [--unet LEVELS] [--ema BETA]
Prints one line: 'pytorch-<version> cyclegan-<size> img_per_s=<x> threads=<t>'.
"""
import argparse
import copy
import random
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

parser = argparse.ArgumentParser()
parser.add_argument("numbers", nargs="*", type=int)
parser.add_argument("--unet", type=int, default=0, help="U-Net levels (0: the ResNet translator)")
parser.add_argument("--ema", type=float, default=0.0, help="beta of the translators' moving averages (0: none)")
options = parser.parse_intermixed_args()
args = options.numbers
size, nf, blocks, ndf, layers, steps, threads, warmup = (args + [32, 32, 6, 32, 2, 100, 1, 10][len(args):])[:8]
torch.set_num_threads(threads)
torch.manual_seed(1)
random.seed(1)
channels, m, pool_size = 3, 1, 50


def norm(c):
    return nn.InstanceNorm2d(c, affine=False, track_running_stats=False)


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.net = nn.Sequential(nn.ReflectionPad2d(1), nn.Conv2d(c, c, 3), norm(c), nn.ReLU(True),
                                 nn.ReflectionPad2d(1), nn.Conv2d(c, c, 3), norm(c))

    def forward(self, x):
        return x + self.net(x)


class Translator(nn.Module):
    def __init__(self):
        super().__init__()
        net, c = [nn.ReflectionPad2d(3), nn.Conv2d(channels, nf, 7), norm(nf), nn.ReLU(True)], nf
        for _ in range(2):
            net += [nn.Conv2d(c, 2 * c, 3, 2, 1), norm(2 * c), nn.ReLU(True)]
            c *= 2
        net += [Block(c) for _ in range(blocks)]
        for _ in range(2):
            net += [nn.ConvTranspose2d(c, c // 2, 3, 2, 1, output_padding=1), norm(c // 2), nn.ReLU(True)]
            c //= 2
        net += [nn.ReflectionPad2d(3), nn.Conv2d(c, channels, 7)]
        self.net = nn.Sequential(*net)

    def forward(self, x):
        return (torch.tanh(self.net(x * 2 - 1)) + 1) * 0.5


class Unet(nn.Module):
    def __init__(self, levels):
        super().__init__()
        width = [nf * min(2 ** i, 8) for i in range(levels)]
        self.down = nn.ModuleList(nn.Conv2d(channels if i == 0 else width[i - 1], width[i], 4, 2, 1) for i in range(levels))
        self.up = nn.ModuleList(nn.ConvTranspose2d(width[i] if i == levels - 1 else 2 * width[i], channels if i == 0 else width[i - 1], 4, 2, 1)
                                for i in range(levels))
        self.down_norms = nn.ModuleList(norm(width[i]) for i in range(1, levels - 1))
        self.up_norms = nn.ModuleList(norm(width[i - 1]) for i in range(1, levels))
        self.levels = levels

    def forward(self, x):
        h, skips = self.down[0](x * 2 - 1), []
        for i in range(1, self.levels):
            skips.append(h)
            h = self.down[i](F.leaky_relu(h, 0.2))
            if i < self.levels - 1:
                h = self.down_norms[i - 1](h)
        for i in range(self.levels - 1, 0, -1):
            h = self.up_norms[i - 1](self.up[i](F.relu(h if i == self.levels - 1 else torch.cat([skips[i], h], 1))))
        return (torch.tanh(self.up[0](F.relu(torch.cat([skips[0], h], 1)))) + 1) * 0.5


class Patches(nn.Module):
    def __init__(self):
        super().__init__()
        net, c = [nn.Conv2d(channels, ndf, 4, 2, 1), nn.LeakyReLU(0.2, True)], ndf
        for n in range(1, layers + 1):
            out = ndf * min(2 ** n, 8)
            net += [nn.Conv2d(c, out, 4, 2 if n < layers else 1, 1), norm(out), nn.LeakyReLU(0.2, True)]
            c = out
        net += [nn.Conv2d(c, 1, 4, 1, 1)]
        self.net = nn.Sequential(*net)

    def forward(self, x):
        return self.net(x * 2 - 1).flatten(1)


def init(module):
    for p in module.modules():
        if isinstance(p, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(p.weight, 0, 0.02)
            nn.init.zeros_(p.bias)


class Pool:
    def __init__(self):
        self.images = []

    def query(self, images):
        shown = []
        for image in images.detach():
            image = image.unsqueeze(0)
            if len(self.images) < pool_size:
                self.images.append(image)
                shown.append(image)
            elif random.uniform(0, 1) > 0.5:
                i = random.randint(0, pool_size - 1)
                shown.append(self.images[i].clone())
                self.images[i] = image
            else:
                shown.append(image)
        return torch.cat(shown, 0)


def translator():
    return Unet(options.unet) if options.unet else Translator()


g, f, dx, dy = translator(), translator(), Patches(), Patches()
for net in (g, f, dx, dy):
    init(net)
averages = [(copy.deepcopy(net).requires_grad_(False), net) for net in (g, f)] if options.ema else []
opt_g = torch.optim.Adam(list(g.parameters()) + list(f.parameters()), 2e-4, betas=(0.5, 0.999))
opt_d = torch.optim.Adam(list(dx.parameters()) + list(dy.parameters()), 2e-4, betas=(0.5, 0.999))
d_params = list(dx.parameters()) + list(dy.parameters())
pool_x, pool_y = Pool(), Pool()
xs, ys = torch.rand(3000, channels, size, size), torch.rand(3000, channels, size, size)


def step(i):
    x, y = xs[i % 3000:i % 3000 + m], ys[(i * 7) % 3000:(i * 7) % 3000 + m]
    fake_y, fake_x = g(x), f(y)
    for p in d_params:
        p.requires_grad_(False)
    opt_g.zero_grad(set_to_none=True)
    gan = 0.5 * (dy(fake_y) - 1).square().mean() + 0.5 * (dx(fake_x) - 1).square().mean()
    cycle = (f(fake_y) - x).abs().mean() + (g(fake_x) - y).abs().mean()
    identity = (g(y) - y).abs().mean() + (f(x) - x).abs().mean()
    loss_g = gan + 10 * cycle + 5 * identity
    loss_g.backward()
    opt_g.step()
    for p in d_params:
        p.requires_grad_(True)
    opt_d.zero_grad(set_to_none=True)
    shown_y, shown_x = pool_y.query(fake_y), pool_x.query(fake_x)
    loss_dy = 0.5 * (0.5 * (dy(y) - 1).square().mean() + 0.5 * dy(shown_y).square().mean())
    loss_dx = 0.5 * (0.5 * (dx(x) - 1).square().mean() + 0.5 * dx(shown_x).square().mean())
    (loss_dy + loss_dx).backward()
    opt_d.step()
    with torch.no_grad():
        for average, net in averages:
            for a, p in zip(average.parameters(), net.parameters()):
                a.lerp_(p, 1 - options.ema)
    return loss_g.item(), loss_dy.item() + loss_dx.item()   # GanSharp reads its scalars every iteration too


for i in range(warmup):
    step(i)
start = time.perf_counter()
for i in range(steps):
    step(warmup + i)
elapsed = time.perf_counter() - start
print(f"pytorch-{torch.__version__} cyclegan-{size} img_per_s={steps * m / elapsed:.3f} threads={threads}")
