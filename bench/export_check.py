"""Loads a generator `gan export` wrote into the same nets written in PyTorch, and checks that it draws what GanSharp draws.

  python3 bench/export_check.py noise DESCRIPTION.json Z.npy COUNT   writes COUNT rows of noise from the export's prior
  python3 bench/export_check.py compare WEIGHTS.safetensors|WEIGHTS.pt Z.npy SAMPLES.npy
      rebuilds the net the description names (paper or dcgan), loads the weights (every tensor, by name, strictly),
      draws G(z) in evaluation mode and compares it with SAMPLES.npy (`gan sample --z Z.npy --out SAMPLES.npy`):
      exit 0 when the largest absolute pixel difference is at most 1e-5.

A .pt file is read with torch.load (PyTorch's own format, written by TorchSharp.PyBridge). Reads safetensors with the
standard library and torch alone (the format is an 8-byte header length, a JSON header and
the raw little-endian data), so no package beyond Debian's python3-torch and python3-numpy is needed.
"""
import json
import struct
import sys

import numpy as np
import torch
from torch import nn

TOLERANCE = 1e-5
DTYPES = {"F32": torch.float32, "F64": torch.float64, "F16": torch.float16, "BF16": torch.bfloat16,
          "I64": torch.int64, "I32": torch.int32, "I8": torch.int8, "U8": torch.uint8, "BOOL": torch.bool}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    start = 8 + length
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        dtype = DTYPES[info["dtype"]]
        if end == begin:
            tensors[name] = torch.empty(info["shape"], dtype=dtype)
        else:
            tensors[name] = torch.frombuffer(bytearray(data[start + begin:start + end]), dtype=dtype).reshape(info["shape"])
    return tensors, header.get("__metadata__", {})


class PaperGenerator(nn.Module):
    """Goodfellow et al. 2014's generator as GanSharp builds it: ReLU hidden layers, a sigmoid output."""

    def __init__(self, m):
        super().__init__()
        widths = [m["noise-dim"]] + list(m["generator-hidden"])
        self.shape = (m["channels"], m["height"], m["width"])
        self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in zip(widths, widths[1:]))
        self.output = nn.Linear(widths[-1], m["channels"] * m["height"] * m["width"])

    def forward(self, z):
        h = z
        for layer in self.hidden:
            h = torch.relu(layer(h))
        return torch.sigmoid(self.output(h)).view(-1, *self.shape)


# (kernel, stride, padding) of each transposed convolution, from the 1x1 map of z up to the image.
DCGAN_PLAN = {
    28: [(3, 1, 0), (3, 2, 0), (4, 2, 1), (4, 2, 1)],
    32: [(4, 1, 0), (4, 2, 1), (4, 2, 1), (4, 2, 1)],
    64: [(4, 1, 0), (4, 2, 1), (4, 2, 1), (4, 2, 1), (4, 2, 1)],
}


class DcganGenerator(nn.Module):
    """Radford et al. 2015's generator as GanSharp builds it; tanh's output t returned as (t + 1) / 2, in [0, 1]."""

    def __init__(self, m):
        super().__init__()
        plan = DCGAN_PLAN[m["height"]]
        n = len(plan)
        self.layers, self.norms = nn.ModuleList(), nn.ModuleList()
        channels = m["noise-dim"]
        for i, (k, s, p) in enumerate(plan):
            out = m["channels"] if i == n - 1 else m["generator-features"] << (n - 2 - i)
            self.layers.append(nn.ConvTranspose2d(channels, out, k, s, p, bias=False))
            if i < n - 1:
                self.norms.append(nn.BatchNorm2d(out))
            channels = out

    def forward(self, z):
        h = z.view(z.shape[0], z.shape[1], 1, 1)
        for layer, norm in zip(self.layers, self.norms):
            h = torch.relu(norm(layer(h)))
        return (torch.tanh(self.layers[-1](h)) + 1) * 0.5


NETS = {"paper": PaperGenerator, "dcgan": DcganGenerator}


def noise(description_path, z_path, count):
    with open(description_path) as f:
        prior = json.load(f)["noise"]
    rng = np.random.default_rng(2014)
    if prior["distribution"] == "uniform":
        z = rng.uniform(prior["low"], prior["high"], size=(count, prior["dim"]))
    else:
        z = rng.normal(prior["mean"], prior["std"], size=(count, prior["dim"]))
    np.save(z_path, z.astype(np.float32))


def compare(weights_path, z_path, samples_path):
    stem = weights_path.rsplit(".", 1)[0]
    with open(stem + ".json") as f:
        description = json.load(f)
    architecture = description["architecture"]
    if architecture not in NETS:
        sys.exit(f"{weights_path}: this script rebuilds {', '.join(NETS)} generators, not {architecture}")
    net = NETS[architecture](description["model"])
    if weights_path.endswith(".pt"):
        tensors = torch.load(weights_path)
    else:
        tensors, _ = read_safetensors(weights_path)
    net.load_state_dict(tensors, strict=True)
    net.eval()
    with torch.no_grad():
        images = net(torch.from_numpy(np.load(z_path))).numpy()
    expected = np.load(samples_path).reshape(images.shape)
    worst = float(np.abs(images - expected).max())
    print(f"{architecture} ({description['weights-are']}, step {description['step']}): {len(tensors)} tensors, "
          f"{images.shape[0]} images of {'x'.join(map(str, images.shape[1:]))}; max |PyTorch - GanSharp| = {worst:.3g}")
    if not worst <= TOLERANCE:
        sys.exit(f"the exported generator draws other images in PyTorch (max difference {worst:.3g} > {TOLERANCE})")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "noise":
        noise(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif len(sys.argv) == 5 and sys.argv[1] == "compare":
        compare(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(__doc__)
