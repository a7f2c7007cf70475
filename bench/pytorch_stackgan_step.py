"""The StackGAN Stage-II training iteration of GanSharp (preset stackgan-emoji), written in PyTorch, for side-by-side
timing (bench/compare).

Same nets and the same work per iteration as GanSharp's StackedGan in Stage-II (Games/StackedGan.cs, Models/StackGan):
  CA: the embedding times sqrt(384) (the model's text-scale) -> Linear(384 -> 2c) + ReLU, split into mu and log-variance;
        c = mu + exp(logvar / 2) * eps.
  Stage-I G (frozen, evaluation mode, no gradients): z (100) ++ c -> Linear (no bias) to 8*ngf x 4 x 4, BatchNorm1d, ReLU;
        up-blocks (nearest x2, 3x3 conv without bias, BatchNorm2d, ReLU) halving the maps up to 16x16; 3x3 conv to 3
        channels, tanh, (t + 1) / 2.
  Stage-II G: its own CA; the 16x16 image * 2 - 1 -> 3x3 conv (ngf), ReLU, 3x3 conv (4*ngf), BN, ReLU; joined with c
        replicated over the map: 3x3 conv (4*ngf), BN, ReLU; R residual blocks relu(x + (conv BN ReLU conv BN)(x)); up-blocks
        to 64x64 halving the maps (at least 8); 3x3 conv to 3 channels, tanh, (t + 1) / 2. Convolutions without bias.
  D (64x64): x * 2 - 1 -> 4x4 stride-2 convs (ndf, 2ndf, 4ndf, 8ndf; BN from the second; LeakyReLU 0.2) to 4x4; judged
        against mu (detached) replicated over the map: 3x3 conv, BN, LeakyReLU, 4x4 stride-4 conv to one logit; and the
        reference STAGE2_D's text-free head: a 4x4 stride-4 conv of the 4x4 map to one logit.
  One iteration: low = G1(phi, z); fake, mu, logvar = G2(phi, low); mu_wrong = G2.ca(phi_wrong).mu (no grad);
        D: h = D.features(real), f = D.features(fake.detach());
           loss = softplus(-[D.judge(h, mu); D.alone(h)]).mean() + softplus([D.judge(h, mu_wrong); D.judge(f, mu); D.alone(f)]).mean();
        G (D frozen): f = D.features(fake); softplus(-D.judge(f, mu)).mean() + softplus(-D.alone(f)).mean() + 2 * KL(mu, logvar). Adam(2e-4, betas (0.5, 0.999)); gradients set to None.
Inputs: random 64x64 images and random unit caption embeddings (384), minibatches of 64, as in gan bench.
Usage: python3 pytorch_stackgan_step.py [ngf=32] [ndf=32] [blocks=2] [batch=64] [steps=10] [threads=1] [warmup=2]
Prints one line: 'pytorch-<version> stackgan-stage2-64 img_per_s=<x> threads=<t>'.
"""
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

args = [int(a) for a in sys.argv[1:]]
ngf, ndf, blocks, m, steps, threads, warmup = (args + [32, 32, 2, 64, 10, 1, 2][len(args):])[:7]
torch.set_num_threads(threads)
torch.manual_seed(1)
E, C, Z, side, low_side = 384, 128, 100, 64, 16


class CA(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(E, 2 * C)

    def forward(self, phi):
        x = F.relu(self.fc(phi * E ** 0.5))
        return x[:, :C], x[:, C:]


def sample(mu, logvar):
    return mu + (0.5 * logvar).exp() * torch.randn_like(mu)


def up(i, o):
    return nn.Sequential(nn.Upsample(scale_factor=2, mode="nearest"), nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU(True))


class StageOne(nn.Module):
    def __init__(self):
        super().__init__()
        self.ca, w = CA(), 8 * ngf
        self.fc = nn.Sequential(nn.Linear(Z + C, w * 16, bias=False), nn.BatchNorm1d(w * 16), nn.ReLU(True))
        self.ups = nn.Sequential(up(w, w // 2), up(w // 2, w // 4))
        self.last, self.w = nn.Conv2d(w // 4, 3, 3, padding=1, bias=False), w

    def forward(self, phi, z):
        mu, logvar = self.ca(phi)
        h = self.fc(torch.cat([z, sample(mu, logvar)], 1)).view(-1, self.w, 4, 4)
        return (self.last(self.ups(h)).tanh() + 1) / 2


class StageTwo(nn.Module):
    def __init__(self):
        super().__init__()
        g4 = 4 * ngf
        self.ca = CA()
        self.encoder = nn.Sequential(nn.Conv2d(3, ngf, 3, padding=1, bias=False), nn.ReLU(True),
                                     nn.Conv2d(ngf, g4, 3, padding=1, bias=False), nn.BatchNorm2d(g4), nn.ReLU(True))
        self.joint = nn.Sequential(nn.Conv2d(g4 + C, g4, 3, padding=1, bias=False), nn.BatchNorm2d(g4), nn.ReLU(True))
        self.res = nn.ModuleList(nn.Sequential(nn.Conv2d(g4, g4, 3, padding=1, bias=False), nn.BatchNorm2d(g4), nn.ReLU(True),
                                               nn.Conv2d(g4, g4, 3, padding=1, bias=False), nn.BatchNorm2d(g4)) for _ in range(blocks))
        ups, c = [], g4
        for _ in range(2):
            ups.append(up(c, max(c // 2, 8)))
            c = max(c // 2, 8)
        self.ups, self.last = nn.Sequential(*ups), nn.Conv2d(c, 3, 3, padding=1, bias=False)

    def forward(self, phi, low):
        mu, logvar = self.ca(phi)
        c = sample(mu, logvar)
        h = self.encoder(low * 2 - 1)
        h = self.joint(torch.cat([h, c.view(c.shape[0], C, 1, 1).expand(-1, -1, h.shape[2], h.shape[3])], 1))
        for block in self.res:
            h = F.relu(h + block(h))
        return (self.last(self.ups(h)).tanh() + 1) / 2, mu, logvar


class D(nn.Module):
    def __init__(self):
        super().__init__()
        layers, c = [], 3
        for i in range(4):
            o = ndf << min(i, 3)
            layers.append(nn.Conv2d(c, o, 4, 2, 1, bias=False))
            if i > 0:
                layers.append(nn.BatchNorm2d(o))
            layers.append(nn.LeakyReLU(0.2, True))
            c = o
        self.trunk = nn.Sequential(*layers)
        self.joint = nn.Sequential(nn.Conv2d(c + C, c, 3, padding=1, bias=False), nn.BatchNorm2d(c), nn.LeakyReLU(0.2, True))
        self.out = nn.Conv2d(c, 1, 4, 4, bias=False)
        self.uncond = nn.Conv2d(c, 1, 4, 4, bias=False)

    def features(self, x):
        return self.trunk(x * 2 - 1)

    def judge(self, h, mu):
        return self.out(self.joint(torch.cat([h, mu.view(mu.shape[0], C, 1, 1).expand(-1, -1, 4, 4)], 1))).view(-1)

    def alone(self, h):
        return self.uncond(h).view(-1)


g1, g2, d = StageOne().eval(), StageTwo(), D()
for p in g1.parameters():
    p.requires_grad_(False)
opt_g = torch.optim.Adam(g2.parameters(), 2e-4, betas=(0.5, 0.999))
opt_d = torch.optim.Adam(d.parameters(), 2e-4, betas=(0.5, 0.999))
images = torch.rand(3000, 3, side, side)
text = F.normalize(torch.randn(3000, 2, E), dim=2)


def step():
    ids = torch.randint(0, 3000, (m,))
    real, phi = images[ids], text[ids].mean(1)
    phi_wrong = text[(ids + 1 + torch.randint(0, 2999, (m,))) % 3000].mean(1)
    z = torch.randn(m, Z)
    with torch.no_grad():
        low = g1(phi, z)
    fake, mu, logvar = g2(phi, low)
    with torch.no_grad():
        mu_wrong = g2.ca(phi_wrong)[0]
    h, f = d.features(real), d.features(fake.detach())
    right, wrong = d.judge(h, mu.detach()), d.judge(h, mu_wrong)
    fake_logits = d.judge(f, mu.detach())
    loss_d = F.softplus(-torch.cat([right, d.alone(h)])).mean() + F.softplus(torch.cat([wrong, fake_logits, d.alone(f)])).mean()
    for p in d.parameters():
        p.grad = None
    loss_d.backward()
    opt_d.step()
    for p in d.parameters():
        p.requires_grad_(False)
    kl = -0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).mean()
    f = d.features(fake)
    loss_g = F.softplus(-d.judge(f, mu.detach())).mean() + F.softplus(-d.alone(f)).mean() + 2 * kl
    for p in g2.parameters():
        p.grad = None
    loss_g.backward()
    opt_g.step()
    for p in d.parameters():
        p.requires_grad_(True)


for _ in range(warmup):
    step()
start = time.perf_counter()
for _ in range(steps):
    step()
elapsed = time.perf_counter() - start
print(f"pytorch-{torch.__version__} stackgan-stage2-{side} img_per_s={steps * m / elapsed:.2f} threads={threads}")
