"""Pictures for the lessons: attention maps, masks and the positional-encoding table.

Every function draws one figure with matplotlib and returns it; in a notebook the figure
appears under the cell. Without a screen (a server, a test run) matplotlib draws off
screen with its Agg back end, so nothing here needs a display.

>>> import torch
>>> figure = plot_attention(torch.full((2, 2), 0.5), ["hello", "world"])
>>> len(figure.axes)  # the map and its colour bar
2
"""
from __future__ import annotations

import os
import sys

import matplotlib

if not os.environ.get("DISPLAY") and "MPLBACKEND" not in os.environ and "ipykernel" not in sys.modules:
    matplotlib.use("Agg")  # no screen and no notebook: draw off screen

import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402


def _as_matrix(values, name: str) -> torch.Tensor:
    matrix = torch.as_tensor(values).detach().to("cpu", torch.float32)
    while matrix.dim() > 2 and matrix.size(0) == 1:
        matrix = matrix[0]  # drop batch (and head) dimensions of size 1
    if matrix.dim() != 2:
        raise ValueError(f"{name}: expected a 2-D table (or one with leading size-1 dims), got shape {tuple(matrix.shape)}")
    return matrix


def _heatmap(ax, matrix: torch.Tensor, rows, cols, title: str, numbers: bool, vmin=0.0, vmax=1.0, cmap="Blues"):
    image = ax.imshow(matrix.numpy(), cmap=cmap, vmin=vmin, vmax=vmax)
    ax.set_xticks(range(len(cols)), labels=cols, rotation=45, ha="right")
    ax.set_yticks(range(len(rows)), labels=rows)
    ax.set_title(title)
    if numbers and matrix.numel() <= 400:
        for i in range(matrix.size(0)):
            for j in range(matrix.size(1)):
                value = float(matrix[i, j])
                strong = abs(value) > 0.6 * vmax if vmin < 0 else (value - vmin) > 0.6 * (vmax - vmin)
                colour = "white" if strong else "black"
                ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=8, color=colour)
    return image


def plot_table(values, rows, cols, title: str, xlabel: str = "", ylabel: str = "", numbers: bool = True,
               vmin: float = 0.0, vmax: float = 1.0):
    """Heatmap of a (rows, cols) table of numbers between ``vmin`` and ``vmax``, labelled."""
    matrix = _as_matrix(values, "values")
    figure, ax = plt.subplots(figsize=(1.4 + 0.6 * len(cols), 0.9 + 0.5 * len(rows)), layout="constrained")
    cmap = "RdBu" if vmin < 0 else "Blues"  # signed numbers: red below zero, blue above
    image = _heatmap(ax, matrix, list(rows), list(cols), title, numbers, vmin, vmax, cmap)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    figure.colorbar(image, ax=ax, shrink=0.8)
    return figure


def plot_attention(weights, words, keys=None, title: str = "Attention weights", numbers: bool = True):
    """Heatmap of attention weights: row = the word that looks, column = the word looked at.

    ``weights`` is (T_q, T_k), or (1, T_q, T_k) as a layer returns it for one sentence;
    ``words`` labels the rows, ``keys`` the columns (default: the same words).
    """
    keys = list(words) if keys is None else list(keys)
    return plot_table(weights, words, keys, title, "looked at (keys)", "looking (queries)", numbers)


def plot_heads(weights, words, title: str = "One attention map per head", numbers: bool = False):
    """Side-by-side heatmaps of (H, T, T) weights (or (1, H, T, T)): what each head looks at."""
    maps = torch.as_tensor(weights).detach().to("cpu", torch.float32)
    if maps.dim() == 4 and maps.size(0) == 1:
        maps = maps[0]
    if maps.dim() != 3:
        raise ValueError(f"weights: expected (H, T, T) or (1, H, T, T), got shape {tuple(maps.shape)}")
    heads = maps.size(0)
    figure, axes = plt.subplots(1, heads, figsize=(0.6 + 0.45 * len(words) * heads, 0.9 + 0.45 * len(words)),
                                layout="constrained", squeeze=False)
    for h, ax in enumerate(axes[0]):
        _heatmap(ax, maps[h], list(words) if h == 0 else [""] * len(words), list(words), f"head {h}", numbers)
    figure.suptitle(title)
    return figure


def plot_mask(mask, words, title: str = "Mask: who may look at whom"):
    """A boolean mask (True = may attend) as a grid of filled (allowed) and empty squares."""
    matrix = _as_matrix(torch.as_tensor(mask).bool().float(), "mask")
    figure, ax = plt.subplots(figsize=(1.0 + 0.5 * len(words), 0.8 + 0.5 * len(words)), layout="constrained")
    _heatmap(ax, matrix, list(words), list(words), title, numbers=False, cmap="Greens")
    for i in range(matrix.size(0)):
        for j in range(matrix.size(1)):
            ax.text(j, i, "✓" if matrix[i, j] else "·", ha="center", va="center",
                    color="white" if matrix[i, j] else "grey")
    ax.set_xlabel("looked at (keys)")
    ax.set_ylabel("looking (queries)")
    return figure


def plot_positional_encoding(table, title: str = "Positional encoding: one row per position"):
    """The (max_len, E) table (or (1, max_len, E)) as an image, beside a few of its columns as waves."""
    matrix = _as_matrix(table, "table")
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
    image = left.imshow(matrix.numpy(), cmap="RdBu", vmin=-1, vmax=1, aspect="auto", interpolation="nearest")
    left.set_xlabel("dimension")
    left.set_ylabel("position")
    left.set_title(title)
    figure.colorbar(image, ax=left, shrink=0.8)
    for column in sorted({0, 4, 8, 12} & set(range(matrix.size(1)))):
        right.plot(matrix[:, column].numpy(), label=f"dimension {column}")
    right.set_xlabel("position")
    right.set_title("Each even dimension is a sine wave of its own speed")
    right.legend(loc="lower left", fontsize=8)
    return figure


def plot_similarity(vectors, labels, title: str = "How alike are the rows? (cosine similarity)"):
    """Cosine similarity of every pair of rows of a (N, E) table, as a heatmap."""
    matrix = _as_matrix(vectors, "vectors")
    unit = matrix / matrix.norm(dim=-1, keepdim=True).clamp_min(1e-12)
    figure, ax = plt.subplots(figsize=(1.0 + 0.4 * len(labels), 0.8 + 0.4 * len(labels)), layout="constrained")
    image = _heatmap(ax, unit @ unit.T, list(labels), list(labels), title, numbers=False, vmin=-1, vmax=1, cmap="RdBu")
    figure.colorbar(image, ax=ax, shrink=0.8)
    return figure


def plot_bars(values: dict, title: str, ylabel: str = ""):
    """A bar chart of ``{label: number}``."""
    figure, ax = plt.subplots(figsize=(1.5 + 0.9 * len(values), 3), layout="constrained")
    ax.bar(list(values), [float(v) for v in values.values()], color="tab:blue")
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    return figure
