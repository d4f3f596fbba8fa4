"""Write a claims report: ``report.md`` and a self-contained ``report.html`` with per-claim statement, assumptions,
formula, verdict and plots, plus the raw numbers (``results.json``, per-claim CSV and JSON)."""

from __future__ import annotations

import base64
import csv
import io
import json
import math
import platform
from html import escape
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


def _csv(rows: list[dict], path: Path) -> None:
    keys: list[str] = []
    for r in rows:
        keys += [k for k in r if k not in keys]
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=keys)
        w.writeheader()
        for r in rows:
            w.writerow({k: json.dumps(v, default=_json_default) if isinstance(v, (list, dict)) else v
                        for k, v in r.items()})


def _rows_of(data: dict) -> list[dict]:
    """The tabular part of a result's data: its "rows", else one row of its scalar fields."""
    if isinstance(data.get("rows"), list) and data["rows"] and isinstance(data["rows"][0], dict):
        return data["rows"]
    return [{k: v for k, v in data.items() if isinstance(v, (int, float, str, bool))}]


_CSS = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px}th{background:#f3f3f3}
.passed{color:#127a12;font-weight:bold}.failed{color:#b00;font-weight:bold}.skipped,.unsupported{color:#a70;font-weight:bold}
img{max-width:100%}pre{background:#f7f7f7;padding:.5em;overflow-x:auto}code{background:#f3f3f3}"""


def write_report(pairs: list[tuple[Claim, ClaimResult]], out_dir: str | Path, *, scale: str, seed: int,
                 device: str) -> Path:
    """Write ``report.md``, a self-contained ``report.html`` (plots embedded), one PNG per plot, and raw numbers
    (``results.json``; per claim ``<id>.csv`` and ``<id>.json``) into ``out_dir``; return the markdown path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    header = (f"scale `{scale}`, seed `{seed}`, device `{device}`, torch {torch.__version__}, "
              f"python {platform.python_version()}, {torch.get_num_threads()} threads")
    md = ["# theorycheck report", "", header, "",
          "| claim | source | measured | relation | bound | margin | verdict | time (s) |",
          "|---|---|---|---|---|---|---|---|"]
    html = ["<!doctype html><html><head><meta charset='utf-8'><title>theorycheck report</title>",
            f"<style>{_CSS}</style></head><body><h1>theorycheck report</h1>",
            f"<p>{escape(header.replace('`', ''))}</p><table><tr><th>claim</th><th>source</th><th>measured</th>"
            "<th>relation</th><th>bound</th><th>margin</th><th>verdict</th><th>time (s)</th></tr>"]
    for claim, res in pairs:
        cells = [format_number(res.measured), res.relation, format_number(res.bound), format_number(res.margin)]
        md.append(f"| `{claim.id}` | {claim.source} | {' | '.join(cells)} | **{res.status}** | {res.wall_time:.1f} |")
        html.append(f"<tr><td><a href='#{claim.id}'>{escape(claim.id)}</a></td><td>{escape(claim.source)}</td>"
                    + "".join(f"<td>{escape(c)}</td>" for c in cells)
                    + f"<td class='{res.status}'>{res.status}</td><td>{res.wall_time:.1f}</td></tr>")
    md.append("")
    html.append("</table>")
    for claim, res in pairs:
        md += [f"## `{claim.id}` — {claim.title}", "", f"**Verdict: {res.status}.** {res.summary}", "",
               f"*Statement.* {claim.statement}", "",
               f"*Source.* {claim.source}. *Theory.* {claim.theory}. *Verification tag.* {claim.verification}", "",
               "*Assumptions.*", ""]
        md += [f"- {a}" for a in claim.assumptions]
        md.append("")
        html += [f"<h2 id='{claim.id}'><code>{escape(claim.id)}</code> — {escape(claim.title)}</h2>",
                 f"<p><span class='{res.status}'>Verdict: {res.status}.</span> {escape(res.summary)}</p>",
                 f"<p><i>Statement.</i> {escape(claim.statement)}</p>",
                 f"<p><i>Source.</i> {escape(claim.source)}. <i>Theory.</i> {escape(claim.theory)}. "
                 f"<i>Verification tag.</i> {escape(claim.verification)}</p><p><i>Assumptions.</i></p><ul>"
                 + "".join(f"<li>{escape(a)}</li>" for a in claim.assumptions) + "</ul>"]
        if claim.symbolic is not None:
            tex = claim.symbolic()
            md += ["*Formula.*", "", f"$$ {tex} $$", ""]
            html.append(f"<p><i>Formula (LaTeX).</i></p><pre>{escape(tex)}</pre>")
        if res.reason:
            md += ["```", res.reason.strip()[-3000:], "```", ""]
            html.append(f"<pre>{escape(res.reason.strip()[-3000:])}</pre>")
        if claim.plot is not None and res.status != "skipped" and math.isfinite(res.measured):
            try:
                for name, fig in claim.plot(res):
                    fig.savefig(out / name, dpi=110)
                    buf = io.BytesIO()
                    fig.savefig(buf, format="png", dpi=90)
                    plt.close(fig)
                    md += [f"![{claim.id}]({name})", ""]
                    html.append(f"<img alt='{escape(name)}' src='data:image/png;base64,"
                                f"{base64.b64encode(buf.getvalue()).decode()}'>")
            except Exception as exc:  # noqa: BLE001 - a broken plot must not hide the verdict
                md += [f"(plot failed: {exc})", ""]
                html.append(f"<p>(plot failed: {escape(str(exc))})</p>")
        if res.data:
            (out / f"{claim.id}.json").write_text(json.dumps(res.to_json(), indent=1, default=_json_default))
            _csv(_rows_of(res.data), out / f"{claim.id}.csv")
            md += [f"Raw numbers: [`{claim.id}.csv`]({claim.id}.csv), [`{claim.id}.json`]({claim.id}.json)", ""]
            html.append(f"<p>Raw numbers: <a href='{claim.id}.csv'>{claim.id}.csv</a>, "
                        f"<a href='{claim.id}.json'>{claim.id}.json</a></p>")
    html.append("</body></html>")
    path = out / "report.md"
    path.write_text("\n".join(md) + "\n")
    (out / "report.html").write_text("\n".join(html) + "\n")
    payload = {"scale": scale, "seed": seed, "device": device, "results": [r.to_json() for _, r in pairs]}
    (out / "results.json").write_text(json.dumps(payload, indent=1, default=_json_default))
    return path
