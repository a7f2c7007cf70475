"""The DCGAN training iteration of GanSharp (presets dcgan-mnist and dcgan-emoji), written in PyTorch, for side-by-side
timing (bench/compare).

Same nets and the same work per iteration as GanSharp's Algorithm1 with DcganGenerator / DcganDiscriminator, k = 1:
  G: z ~ N(0, I)^100 as a 1x1 map -> transposed convolutions (no bias) with batch norm and ReLU -> tanh, returned as
     (t + 1) / 2; 28x28: 100 -> 256 (3x3) -> 128 (7x7) -> 64 (14x14) -> C (28x28); 32x32: 100 -> 256 (4x4) -> 128 -> 64 -> C
  D: x * 2 - 1 -> convolutions (no bias), LeakyReLU 0.2, batch norm on all but the first and last -> one output
  D update: G(z) without a graph; D on the real and on the generated minibatch in two passes (batch norm);
            softplus(-real) + softplus(fake); Adam(2e-4, betas (0.5, 0.999))
  G update: fresh z, D frozen (no weight gradients), non-saturating loss softplus(-D(G(z))), Adam
  gradients set to None rather than zeroed. Weights N(0, 0.02), batch-norm scales N(1, 0.02).
Inputs are random images of the preset's shape (1x28x28, or 3x32x32), as in gan bench.
Usage: python3 pytorch_dcgan_step.py [size=28] [channels=1] [steps=100] [threads=1] [warmup=10]
Prints one line: 'pytorch-<version> dcgan-<size> img_per_s=<x> threads=<t>'.
"""
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

size = int(sys.argv[1]) if len(sys.argv) > 1 else 28
channels = int(sys.argv[2]) if len(sys.argv) > 2 else 1
steps = int(sys.argv[3]) if len(sys.argv) > 3 else 100
threads = int(sys.argv[4]) if len(sys.argv) > 4 else 1
warmup = int(sys.argv[5]) if len(sys.argv) > 5 else 10
torch.set_num_threads(threads)
torch.manual_seed(1)
m, nz, nf = 128, 100, 64
plan = {28: [(3, 1, 0), (3, 2, 0), (4, 2, 1), (4, 2, 1)],
        32: [(4, 1, 0), (4, 2, 1), (4, 2, 1), (4, 2, 1)],
        64: [(4, 1, 0), (4, 2, 1), (4, 2, 1), (4, 2, 1), (4, 2, 1)]}[size]
n = len(plan)


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        layers, c = [], nz
        for i, (k, s, p) in enumerate(plan):
            out = channels if i == n - 1 else nf << (n - 2 - i)
            layers.append(nn.ConvTranspose2d(c, out, k, s, p, bias=False))
            if i < n - 1:
                layers += [nn.BatchNorm2d(out), nn.ReLU(True)]
            c = out
        self.net = nn.Sequential(*layers)

    def forward(self, z):
        return (torch.tanh(self.net(z.view(-1, nz, 1, 1))) + 1) * 0.5


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        layers, c = [], channels
        for i, (k, s, p) in enumerate(reversed(plan)):
            out = 1 if i == n - 1 else nf << i
            layers.append(nn.Conv2d(c, out, k, s, p, bias=False))
            if 0 < i < n - 1:
                layers.append(nn.BatchNorm2d(out))
            if i < n - 1:
                layers.append(nn.LeakyReLU(0.2, True))
            c = out
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x * 2 - 1).view(-1)


def init(module):
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(module.weight, 0, 0.02)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.normal_(module.weight, 1, 0.02)
        nn.init.zeros_(module.bias)


G, D = Generator(), Discriminator()
G.apply(init)
D.apply(init)
opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
data = torch.rand(3000, channels, size, size)
z = torch.empty(m, nz)
d_params = list(D.parameters())
batch_index = 0


def step():
    global batch_index
    # discriminator update: two passes (batch norm), G fixed
    with torch.no_grad():
        fake = G(z.normal_())
    rows = torch.randint(0, data.shape[0], (m,))
    x = data.index_select(0, rows)
    loss_d = F.softplus(-D(x)).mean() + F.softplus(D(fake)).mean()
    opt_d.zero_grad(set_to_none=True)
    loss_d.backward()
    opt_d.step()
    # generator update: fresh z, D frozen
    for p in d_params:
        p.requires_grad_(False)
    loss_g = F.softplus(-D(G(z.normal_()))).mean()
    opt_g.zero_grad(set_to_none=True)
    loss_g.backward()
    opt_g.step()
    for p in d_params:
        p.requires_grad_(True)
    return loss_d.item(), loss_g.item()


for _ in range(warmup):
    step()
start = time.perf_counter()
for _ in range(steps):
    step()
elapsed = time.perf_counter() - start
print(f"pytorch-{torch.__version__} dcgan-{size} img_per_s={steps * m / elapsed:.1f} threads={threads}")
