"""The paper-mnist training iteration of GanSharp, written in PyTorch, for side-by-side timing (bench/compare).

Same model and the same work per iteration as GanSharp's Trainer.TrainStep with k = 1:
  G: z ~ U(-sqrt3, sqrt3)^100 -> 1200 ReLU -> 1200 ReLU -> 784 sigmoid
  D: dropout(keep .8) -> maxout 240x5 -> dropout(.5) -> maxout 240x5 -> dropout(.5) -> linear 1 (a logit)
  D update: G(z) without a graph, one D pass over [real; fake], -V = softplus(-real) + softplus(fake), SGD momentum
  G update: fresh z, D frozen (no weight gradients), non-saturating loss softplus(-D(G(z))), SGD momentum
  gradients set to None rather than zeroed; learning rate and momentum set every iteration.
Inputs are random images of MNIST's shape, as in gan bench.
Usage: python3 pytorch_paper_step.py [steps=300] [threads=1] [warmup=20]
Prints one line: 'pytorch-<version> paper-mnist img_per_s=<x> threads=<t>'.
"""
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

steps = int(sys.argv[1]) if len(sys.argv) > 1 else 300
threads = int(sys.argv[2]) if len(sys.argv) > 2 else 1
warmup = int(sys.argv[3]) if len(sys.argv) > 3 else 20
torch.set_num_threads(threads)
torch.manual_seed(1)
m, zdim, half = 100, 100, math.sqrt(3)


class Maxout(nn.Module):
    def __init__(self, n_in, units, pieces):
        super().__init__()
        self.units, self.pieces = units, pieces
        self.affine = nn.Linear(n_in, units * pieces)

    def forward(self, x):
        return self.affine(x).view(-1, self.units, self.pieces).max(dim=2).values


G = nn.Sequential(nn.Linear(zdim, 1200), nn.ReLU(inplace=True), nn.Linear(1200, 1200), nn.ReLU(inplace=True),
                  nn.Linear(1200, 784), nn.Sigmoid())
D = nn.Sequential(nn.Dropout(0.2), Maxout(784, 240, 5), nn.Dropout(0.5), Maxout(240, 240, 5), nn.Dropout(0.5),
                  nn.Linear(240, 1))
for net, r in ((G, 0.05), (D, 0.005)):
    for p in net.parameters():
        nn.init.uniform_(p, -r, r) if p.dim() > 1 else nn.init.zeros_(p)
opt_g = torch.optim.SGD(G.parameters(), lr=0.1, momentum=0.5)
opt_d = torch.optim.SGD(D.parameters(), lr=0.1, momentum=0.5)
data = torch.rand(6000, 784)
z = torch.empty(m, zdim)
step_count = 0


def iteration():
    global step_count
    lr = max(0.1 / 1.000004 ** step_count, 1e-6)
    for opt in (opt_g, opt_d):
        for group in opt.param_groups:
            group["lr"], group["momentum"] = lr, 0.5
    # discriminator update
    with torch.no_grad():
        fake = G(z.uniform_(-half, half))
    idx = torch.randint(0, data.shape[0], (m,))
    logits = D(torch.cat([data.index_select(0, idx), fake])).squeeze(1)
    d_loss = F.softplus(-logits[:m]).mean() + F.softplus(logits[m:]).mean()
    opt_d.zero_grad(set_to_none=True)
    d_loss.backward()
    opt_d.step()
    d_loss.item(); torch.sigmoid(logits[:m]).mean().item(); torch.sigmoid(logits[m:]).mean().item()
    # generator update, D frozen
    for p in D.parameters():
        p.requires_grad_(False)
    g_loss = F.softplus(-D(G(z.uniform_(-half, half))).squeeze(1)).mean()
    opt_g.zero_grad(set_to_none=True)
    g_loss.backward()
    opt_g.step()
    g_loss.item()
    for p in D.parameters():
        p.requires_grad_(True)
    step_count += 1


for _ in range(warmup):
    iteration()
start = time.perf_counter()
for _ in range(steps):
    iteration()
elapsed = time.perf_counter() - start
print(f"pytorch-{torch.__version__} paper-mnist img_per_s={steps * m / elapsed:.0f} threads={threads}")
