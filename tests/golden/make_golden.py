#!/usr/bin/python3
"""Reference values from PyTorch for the training-core tests (run with Debian's python3-torch:
/usr/bin/python3 tests/golden/make_golden.py > tests/golden/golden_values.h).

Writes one C header of small double arrays: ELU/SELU values and gradients, BatchNorm forward and
backward in training and inference mode, AlphaDropout's affine constants and output statistics,
and a few steps of SGD-Nesterov, Adam, NAdam and RMSprop on a fixed quadratic. Inputs are
generated here and written too, so the C side never reproduces a random generator."""
import math
import sys

import torch

torch.manual_seed(0)
torch.set_default_dtype(torch.float32)
out = []


def arr(name, t):
    v = [float(x) for x in torch.as_tensor(t).reshape(-1).tolist()]
    body = ", ".join(repr(x) if math.isfinite(x) else ("NAN" if math.isnan(x) else ("INFINITY" if x > 0 else "-INFINITY")) for x in v)
    out.append(f"static const double {name}[{len(v)}] = {{{body}}};")


def scalar(name, v):
    out.append(f"static const double {name} = {float(v)!r};")


# ---- ELU (alpha 1) and SELU: values and d/dx ----
x = torch.cat([torch.linspace(-6, 4, 41), torch.tensor([-1e-3, 0.0, 1e-3, -20.0, 20.0])])
arr("golden_act_x", x)
for name, fn in (("elu", torch.nn.functional.elu), ("selu", torch.nn.functional.selu)):
    xr = x.clone().requires_grad_(True)
    y = fn(xr)
    y.sum().backward()
    arr(f"golden_{name}_y", y.detach())
    arr(f"golden_{name}_dx", xr.grad)

# ---- BatchNorm1d: training step (batch statistics) and inference (moving statistics) ----
N, C = 12, 5
xb = torch.randn(N, C) * 2.0 + 0.5
gamma = torch.randn(C) * 0.5 + 1.0
beta = torch.randn(C) * 0.3
dy = torch.randn(N, C)
arr("golden_bn_x", xb)
arr("golden_bn_gamma", gamma)
arr("golden_bn_beta", beta)
arr("golden_bn_dy", dy)
eps = 1e-3
bn = torch.nn.BatchNorm1d(C, eps=eps, momentum=0.01)  # PyTorch momentum 0.01 = Keras 0.99
with torch.no_grad():
    bn.weight.copy_(gamma)
    bn.bias.copy_(beta)
bn.train()
xr = xb.clone().requires_grad_(True)
y = bn(xr)
y.backward(dy)
arr("golden_bn_train_y", y.detach())
arr("golden_bn_train_dx", xr.grad)
arr("golden_bn_train_dgamma", bn.weight.grad)
arr("golden_bn_train_dbeta", bn.bias.grad)
arr("golden_bn_moving_mean", bn.running_mean)
# PyTorch's running_var uses the unbiased batch variance; Keras (and simdnn) the biased one.
var_b = xb.var(dim=0, unbiased=False)
arr("golden_bn_moving_var_keras", 0.99 * torch.ones(C) + 0.01 * var_b)
arr("golden_bn_moving_var_torch", bn.running_var)
# inference with given moving statistics
mm = torch.randn(C) * 0.5
mv = torch.rand(C) * 2 + 0.5
arr("golden_bn_eval_mean", mm)
arr("golden_bn_eval_var", mv)
bn2 = torch.nn.BatchNorm1d(C, eps=eps)
with torch.no_grad():
    bn2.weight.copy_(gamma)
    bn2.bias.copy_(beta)
    bn2.running_mean.copy_(mm)
    bn2.running_var.copy_(mv)
bn2.eval()
xr = xb.clone().requires_grad_(True)
y = bn2(xr)
y.backward(dy)
arr("golden_bn_eval_y", y.detach())
arr("golden_bn_eval_dx", xr.grad)

# ---- AlphaDropout: the affine constants read off PyTorch's output, and output statistics ----
for rate in (0.1, 0.2, 0.5):
    tag = str(int(rate * 100))
    ad = torch.nn.AlphaDropout(rate)
    ad.train()
    torch.manual_seed(1)  # the same mask for both calls
    z = ad(torch.zeros(200000))
    torch.manual_seed(1)
    o = ad(torch.ones(200000))
    kept0 = z[(o - z).abs() > 1e-6]  # kept units: a·0 + b; dropped units equal in both
    dropped = z[(o - z).abs() <= 1e-6]
    b = kept0[0].item()
    a = (o[(o - z).abs() > 1e-6][0] - b).item()
    scalar(f"golden_alpha_dropout_{tag}_a", a)
    scalar(f"golden_alpha_dropout_{tag}_b", b)
    scalar(f"golden_alpha_dropout_{tag}_c", dropped[0].item())
    s = ad(torch.nn.functional.selu(torch.randn(400000)))  # SELU activations of N(0, 1) inputs
    scalar(f"golden_alpha_dropout_{tag}_mean", s.mean().item())
    scalar(f"golden_alpha_dropout_{tag}_var", s.var().item())

# ---- optimizers on a fixed quadratic: g(w) = A·w − b, float32, 6 steps ----
P, STEPS = 7, 6
A = torch.randn(P, P)
A = A @ A.t() / P + torch.eye(P) * 0.5
bvec = torch.randn(P)
w0 = torch.randn(P)
arr("golden_opt_a", A)
arr("golden_opt_b", bvec)
arr("golden_opt_w0", w0)
scalar("golden_opt_steps", STEPS)
configs = {
    "sgd_nesterov": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True),
    "adam": lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.9, 0.999), eps=1e-7),
    "nadam": lambda p: torch.optim.NAdam(p, lr=0.05, betas=(0.9, 0.999), eps=1e-7, momentum_decay=4e-3),
    "rmsprop": lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-7),
}
for name, make in configs.items():
    w = torch.nn.Parameter(w0.clone())
    opt = make([w])
    traj = []
    for _ in range(STEPS):
        opt.zero_grad()
        w.grad = (A @ w.detach() - bvec).clone()
        opt.step()
        traj.append(w.detach().clone())
    arr(f"golden_opt_{name}" + ("_torch113" if name == "nadam" else ""), torch.stack(traj))

# PyTorch 1.13's NAdam forms mu_product_next = mu_product·mu·mu_next with mu_product already
# updated (μ_t counted twice), fixed in 2.0 (pytorch/pytorch#92699). Dozat, Keras and PyTorch ≥ 2.0
# use Π_t·μ_{t+1}: the reference is that update, written out in float32 as 2.x runs it.
w = w0.clone()
m = torch.zeros(P)
v = torch.zeros(P)
prod = 1.0
traj = []
lr, b1, b2, eps = 0.05, 0.9, 0.999, 1e-7
for t in range(1, STEPS + 1):
    g = A @ w - bvec
    mu = b1 * (1.0 - 0.5 * 0.96 ** (t * 4e-3))
    mu_next = b1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * 4e-3))
    prod *= mu
    m = m * b1 + g * (1 - b1)
    v = v * b2 + g * g * (1 - b2)
    denom = (v / (1 - b2 ** t)).sqrt() + eps
    w = w - lr * (1.0 - mu) / (1.0 - prod) * g / denom
    w = w - lr * mu_next / (1.0 - prod * mu_next) * m / denom
    traj.append(w.clone())
arr("golden_opt_nadam", torch.stack(traj))

print("/* Generated by tests/golden/make_golden.py with PyTorch %s; do not edit. */" % torch.__version__)
print("#ifndef SDN_GOLDEN_VALUES_H\n#define SDN_GOLDEN_VALUES_H\n#include <math.h>")
print("\n".join(out))
print("#endif")
