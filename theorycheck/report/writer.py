"""Write a claims report: ``report.md`` with per-claim statement, assumptions, formula, verdict and plots (PNG),
and ``results.json`` with the raw numbers."""

from __future__ import annotations

import json
import math
import platform
from pathlib import Path

import torch

from ..claims.base import Claim, ClaimResult

__all__ = ["write_report", "format_number"]


def format_number(x: float) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    if x == 0 or 1e-3 <= abs(x) < 1e4:
        return f"{x:.4g}"
    return f"{x:.3e}"


def _json_default(obj):
    if hasattr(obj, "tolist"):
        return obj.tolist()
    return str(obj)


def write_report(pairs: list[tuple[Claim, ClaimResult]], out_dir: str | Path, *, scale: str, seed: int,
                 device: str) -> Path:
    """Write ``report.md``, one PNG per plot and ``results.json`` into ``out_dir``; return the markdown path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    lines = [
        "# theorycheck report",
        "",
        f"scale `{scale}`, seed `{seed}`, device `{device}`, torch {torch.__version__}, "
        f"python {platform.python_version()}, {torch.get_num_threads()} threads",
        "",
        "| claim | source | measured | relation | bound | margin | verdict | time (s) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for claim, res in pairs:
        lines.append(
            f"| `{claim.id}` | {claim.source} | {format_number(res.measured)} | {res.relation} | "
            f"{format_number(res.bound)} | {format_number(res.margin)} | **{res.status}** | {res.wall_time:.1f} |"
        )
    lines.append("")
    for claim, res in pairs:
        lines += [
            f"## `{claim.id}` — {claim.title}",
            "",
            f"**Verdict: {res.status}.** {res.summary}",
            "",
            f"*Statement.* {claim.statement}",
            "",
            f"*Source.* {claim.source}. *Theory.* {claim.theory}. *Verification tag.* {claim.verification}",
            "",
            "*Assumptions.*",
            "",
        ]
        lines += [f"- {a}" for a in claim.assumptions]
        lines.append("")
        if claim.symbolic is not None:
            lines += ["*Formula.*", "", f"$$ {claim.symbolic()} $$", ""]
        if res.reason:
            lines += ["```", res.reason.strip()[-3000:], "```", ""]
        if claim.plot is not None and res.status != "skipped" and math.isfinite(res.measured):
            try:
                for name, fig in claim.plot(res):
                    fig.savefig(out / name, dpi=110)
                    plt.close(fig)
                    lines += [f"![{claim.id}]({name})", ""]
            except Exception as exc:  # noqa: BLE001 - a broken plot must not hide the verdict
                lines += [f"(plot failed: {exc})", ""]
    md = out / "report.md"
    md.write_text("\n".join(lines) + "\n")
    payload = {"scale": scale, "seed": seed, "device": device, "results": [r.to_json() for _, r in pairs]}
    (out / "results.json").write_text(json.dumps(payload, indent=1, default=_json_default))
    return md
