"""Draws the benchmark plots (PNG) from the plot data bench/report/write.ts prepares.

Usage: plot.py DATA.json OUT_DIR
"""
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

TOOL_STYLE = {
    "zke": ("zke", "tab:blue", "o"),
    "ansible": ("Ansible (forks = N)", "tab:orange", "s"),
    "ssh": ("sequential ssh loop", "tab:gray", "^"),
}
PHASE_TITLE = {"fresh": "clean hosts", "unchanged": "re-run, nothing to change", "changed": "new args: replace"}


def fanout(data, out):
    phases = data["phases"]
    fig, axes = plt.subplots(1, len(phases), figsize=(4.2 * len(phases), 4.1), sharey=True)
    for ax, phase in zip(axes, phases):
        for tool, (label, color, marker) in TOOL_STYLE.items():
            ys = [v / 1000 for v in data["ms"][tool][phase]]
            ax.plot(data["sizes"], ys, marker=marker, color=color, label=label)
            # the value next to the last point: the log scale makes values hard to read off the axis
            ax.annotate(f"{ys[-1]:.3g} s", (data["sizes"][-1], ys[-1]), textcoords="offset points",
                        xytext=(-6, 6), ha="right", fontsize=8, color=color)
        ax.set_title(PHASE_TITLE[phase], fontsize=10)
        ax.set_xlabel("hosts")
        ax.set_xticks(data["sizes"])
        ax.set_yscale("log")
        ax.grid(alpha=0.3, which="both")
    values = [v / 1000 for tool in TOOL_STYLE for phase in phases for v in data["ms"][tool][phase]]
    axes[0].set_ylim(min(values) / 1.6, max(values) * 2.2)  # room for the labels above the points
    axes[0].yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axes[0].set_ylabel(f"wall time (s, log scale)\n{data['stat']}")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=9, frameon=False)
    fig.suptitle("Fan-out job: certificates + one container per host", fontsize=11)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    fig.savefig(f"{out}/bench-fanout.png", dpi=110)


def scale(data, out):
    sizes = [str(s) for s in data["sizes"]]
    fig, ax = plt.subplots(figsize=(8, 4.2))
    bottom = [0.0] * len(sizes)
    colors = plt.get_cmap("tab20")
    width = 0.6 if len(sizes) > 1 else 0.35
    bars = []
    for i, step in enumerate(data["steps"]):
        ys = [v / 1000 for v in data["stepWall"][step]]
        bars.append(ax.bar(sizes, ys, bottom=bottom, width=width, label=step, color=colors(i % 20)))
        bottom = [b + y for b, y in zip(bottom, ys)]
    overhead = [v / 1000 for v in data["overhead"]]
    line = ax.plot(sizes, overhead, color="black", marker="x", linestyle="--" if len(sizes) > 1 else "none",
                   label="orchestration overhead")[0]
    ax.set_xlabel("hosts")
    ax.set_ylabel(f"seconds, {data['stat']}")
    ax.set_title("Provision wall time per step (measured steps)", fontsize=11)
    # legend outside, top to bottom in stacking order (last step on top)
    ax.legend(handles=[line, *reversed(bars)], fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(f"{out}/bench-scale.png", dpi=110)


def history(data, out):
    fig, ax = plt.subplots(figsize=(6, 3.6))
    ax.plot(data["sizes"], data["events"], marker="o", color="tab:blue")
    ax.set_xlabel("hosts")
    ax.set_ylabel("history events", color="tab:blue")
    ax.set_xticks(data["sizes"])
    ax.set_ylim(bottom=0)
    right = ax.twinx()
    right.plot(data["sizes"], data["kib"], marker="s", color="tab:orange")
    right.set_ylabel("history size (KiB)", color="tab:orange")
    right.set_ylim(bottom=0)
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
        elif os.path.exists(f"{out}/bench-{name}.png"):
            os.remove(f"{out}/bench-{name}.png")  # not drawn from these results: the report does not show it


if __name__ == "__main__":
    main()
