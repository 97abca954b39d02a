"""Draws the benchmark plots (PNG) from the plot data bench/report/write.ts prepares.

Usage: plot.py DATA.json OUT_DIR
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

TOOL_STYLE = {
    "zke": ("zke", "tab:blue", "o"),
    "ansible": ("Ansible (forks = N)", "tab:orange", "s"),
    "ssh": ("sequential ssh loop", "tab:gray", "^"),
}
PHASE_TITLE = {"fresh": "clean hosts", "unchanged": "re-run, nothing to change", "changed": "new args: replace"}


def fanout(data, out):
    phases = data["phases"]
    fig, axes = plt.subplots(1, len(phases), figsize=(4.2 * len(phases), 3.6), sharey=True)
    for ax, phase in zip(axes, phases):
        for tool, (label, color, marker) in TOOL_STYLE.items():
            ys = [v / 1000 for v in data["ms"][tool][phase]]
            ax.plot(data["sizes"], ys, marker=marker, color=color, label=label)
        ax.set_title(PHASE_TITLE[phase], fontsize=10)
        ax.set_xlabel("hosts")
        ax.set_xticks(data["sizes"])
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("wall time (s), median")
    axes[0].legend(fontsize=8)
    fig.suptitle("Fan-out job: certificates + one container per host", fontsize=11)
    fig.tight_layout()
    fig.savefig(f"{out}/bench-fanout.png", dpi=110)


def scale(data, out):
    sizes = [str(s) for s in data["sizes"]]
    fig, ax = plt.subplots(figsize=(7, 4))
    bottom = [0.0] * len(sizes)
    colors = plt.get_cmap("tab10")
    for i, step in enumerate(data["steps"]):
        ys = [v / 1000 for v in data["stepWall"][step]]
        ax.bar(sizes, ys, bottom=bottom, label=step, color=colors(i % 10))
        bottom = [b + y for b, y in zip(bottom, ys)]
    overhead = [v / 1000 for v in data["overhead"]]
    ax.plot(sizes, overhead, color="black", marker="x", label="orchestration overhead")
    ax.set_xlabel("hosts")
    ax.set_ylabel("seconds, median")
    ax.set_title("Provision wall time per step (measured steps)", fontsize=11)
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(f"{out}/bench-scale.png", dpi=110)


def history(data, out):
    fig, ax = plt.subplots(figsize=(6, 3.6))
    ax.plot(data["sizes"], data["events"], marker="o", color="tab:blue")
    ax.set_xlabel("hosts")
    ax.set_ylabel("history events", color="tab:blue")
    ax.set_xticks(data["sizes"])
    right = ax.twinx()
    right.plot(data["sizes"], data["kib"], marker="s", color="tab:orange")
    right.set_ylabel("history size (KiB)", color="tab:orange")
    ax.set_title("Workflow history per provision", fontsize=11)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(f"{out}/bench-history.png", dpi=110)


def main():
    with open(sys.argv[1]) as f:
        data = json.load(f)
    out = sys.argv[2]
    for name, draw in (("fanout", fanout), ("scale", scale), ("history", history)):
        if data.get(name):
            draw(data[name], out)


if __name__ == "__main__":
    main()
