"""Write a claims report: ``report.md`` and a self-contained ``report.html``, plus the raw numbers.

For every claim the report shows the verdict with "k of n checks hold", each named sub-check (value, relation,
bound, margin, holds, meaning), the statement rendered at the run's scale, the full source, the docs page, the
verification tag, the assumptions, the config, the formula (typeset by MathJax inlined in the page), the time (own
+ shared measurement) and the plots. Exploratory claims that are not supported at this scale show "unsupported"
with the reason and the exploratory declaration; skipped claims show the skip reason.

Files: ``report.md``, ``report.html`` (no external resource: plots are data URIs, MathJax is inlined), one PNG per
plot, ``results.json`` (every sub-check of every claim) and per claim ``<id>.json`` and ``<id>.csv`` (its raw
numbers, :mod:`theorycheck.report.tables`).
"""

from __future__ import annotations

import base64
import io
import json
import platform
from collections.abc import Mapping
from html import escape
from pathlib import Path
from typing import Any

from ..claims.base import Claim, ClaimResult
from .mathjax import mathjax_head
from .progress import format_number, time_text
from .tables import csv_rows, write_csv

__all__ = ["write_report", "format_number"]


def _json_default(obj):
    if hasattr(obj, "tolist"):
        return obj.tolist()
    return str(obj)


_CSS = """body{font-family:system-ui,sans-serif;max-width:1150px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;font-size:13px;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 6px;
vertical-align:top}th{background:#f3f3f3;text-align:left}
.passed,.holds{color:#127a12;font-weight:bold}.failed,.fails{color:#b00;font-weight:bold}
.skipped,.unsupported{color:#a70;font-weight:bold}img{max-width:100%}
pre{background:#f7f7f7;padding:.5em;overflow-x:auto}code{background:#f3f3f3}.math{font-size:110%;margin:.5em 0}
.note{background:#fff8e6;border-left:4px solid #a70;padding:.4em .8em}.err{background:#fdecec;border-left:4px solid
#b00;padding:.4em .8em}details summary{cursor:pointer;color:#555}"""

CHECK_COLUMNS = ("check", "value", "relation", "bound", "margin", "holds", "meaning")


def _checks_hold(res: ClaimResult) -> str:
    if res.status == "skipped":
        return "—"
    return f"{res.n_holding} of {len(res.checks)}" if res.checks else "error"


def _statement(claim: Claim, scale: str) -> str:
    try:
        return claim.render_statement(scale)
    except Exception as exc:  # noqa: BLE001 - a broken template must not hide the verdict
        return f"(statement could not be rendered: {type(exc).__name__}: {exc})"


def _check_cells(c) -> list[str]:
    return [c.name, format_number(c.value), c.relation, format_number(c.bound), format_number(c.margin),
            "yes" if c.holds else "no", c.meaning]


def _md_cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _verdict_note(res: ClaimResult, claim: Claim) -> tuple[list[str], list[str]]:
    """(markdown lines, html parts) explaining a verdict other than passed."""
    md: list[str] = []
    html: list[str] = []
    if res.status == "skipped":
        md += [f"> **Skipped:** {res.skip_reason}", ""]
        html.append(f"<p class='note'><b>Skipped:</b> {escape(res.skip_reason)}</p>")
    elif res.status == "unsupported":
        md += [f"> **Not supported at this scale.** {res.reason}", ">",
               f"> *Exploratory claim:* {claim.exploratory or res.exploratory}", ""]
        html.append(f"<p class='note'><b>Not supported at this scale.</b> {escape(res.reason)}<br>"
                    f"<i>Exploratory claim:</i> {escape(claim.exploratory or res.exploratory or '')}</p>")
    elif res.error:
        tail = res.error.strip()[-3000:]
        md += ["**The measurement raised:**", "", "```", tail, "```", ""]
        html.append(f"<div class='err'><b>The measurement raised:</b><pre>{escape(tail)}</pre></div>")
    elif res.status == "failed":
        md += [f"> **Failed:** {res.reason}", ""]
        html.append(f"<p class='err'><b>Failed:</b> {escape(res.reason)}</p>")
    elif claim.exploratory:
        md += [f"*Exploratory claim:* {claim.exploratory}", ""]
        html.append(f"<p><i>Exploratory claim:</i> {escape(claim.exploratory)}</p>")
    return md, html


def _run_header(scale: str, seed: int, device: str, info: Mapping[str, Any]) -> str:
    import torch

    executor = info.get("executor", "?")
    workers = info.get("workers")
    exec_text = f"{executor}" + (f" ({workers} worker processes)" if executor == "processes" and workers else "")
    threads = info.get("threads", torch.get_num_threads())
    text = (f"scale {scale}, seed {seed}, device {device}; sweeps ran on executor {exec_text}, "
            f"{info.get('threads_per_point', 1)} torch thread per sweep point; {threads} torch thread(s) in the main "
            f"process; {info.get('cores', '?')} CPU core(s) available; torch {torch.__version__}, python "
            f"{platform.python_version()}")
    if info.get("cache"):
        text += f"; sweep cache {info['cache']}"
    if info.get("cache_warnings"):
        text += f"; {len(info['cache_warnings'])} damaged cache entries recomputed (see results.json)"
    return text


def write_report(pairs: list[tuple[Claim, ClaimResult]], out_dir: str | Path, *, scale: str, seed: int,
                 device: str, run_info: Mapping[str, Any] | None = None,
                 timings: Mapping[str, Mapping[str, Any]] | None = None) -> Path:
    """Write the report files (see the module docstring) into ``out_dir``; return the path of ``report.md``.

    Args:
        pairs: ``(claim, result)`` in report order.
        out_dir: output folder (created).
        scale, seed, device: how the claims ran.
        run_info: executor, workers, threads, cores, cache (shown in the header and written to results.json).
        timings: per claim id ``{"own": s, "shared": s, "shared_with": [ids]}``; without it the own time is the
            claim's wall time less the shared time when that is smaller.

    Raises:
        OSError: ``out_dir`` cannot be created or written.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    run_info = dict(run_info or {})
    timings = dict(timings or {})
    for claim, res in pairs:
        if claim.id not in timings:
            own = res.wall_time - res.shared_time if res.wall_time >= res.shared_time else res.wall_time
            timings[claim.id] = {"own": own, "shared": res.shared_time, "shared_with": []}
    results = {claim.id: res for claim, res in pairs}
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    header = _run_header(scale, seed, device, run_info)
    counts = {s: sum(r.status == s for _, r in pairs) for s in ("passed", "failed", "unsupported", "skipped")}
    tally = ", ".join(f"{n} {s}" for s, n in counts.items() if n)

    md = ["# theorycheck report", "", header, "", f"**{len(pairs)} claims: {tally}.**", "",
          "| claim | title | checks hold | verdict | time (own + shared) | summary |", "|---|---|---|---|---|---|"]
    mj = mathjax_head()
    html = ["<!doctype html><html><head><meta charset='utf-8'><title>theorycheck report</title>",
            f"<style>{_CSS}</style>", mj or "", "</head><body class='no-math'><h1>theorycheck report</h1>",
            f"<p>{escape(header)}</p><p><b>{len(pairs)} claims: {escape(tally)}.</b></p>",
            "<table><tr><th>claim</th><th>title</th><th>checks hold</th><th>verdict</th>"
            "<th>time (own + shared)</th><th>summary</th></tr>"]
    for claim, res in pairs:
        t = time_text(timings[claim.id], res)
        md.append(f"| `{claim.id}` | {_md_cell(claim.title)} | {_checks_hold(res)} | "
                  f"**{res.status}** | {t} | {_md_cell(res.summary)} |")
        html.append(f"<tr><td><a href='#{escape(claim.id)}'>{escape(claim.id)}</a></td><td>{escape(claim.title)}</td>"
                    f"<td>{_checks_hold(res)}</td><td class='{res.status}'>{res.status}</td><td>{escape(t)}</td>"
                    f"<td>{escape(res.summary)}</td></tr>")
    md.append("")
    html.append("</table>")

    for claim, res in pairs:
        tm = timings[claim.id]
        md += [f"## `{claim.id}` — {claim.title}", "",
               f"**Verdict: {res.status}** ({_checks_hold(res)} checks hold). {res.summary}", ""]
        html += [f"<h2 id='{escape(claim.id)}'><code>{escape(claim.id)}</code> — {escape(claim.title)}</h2>",
                 f"<p><span class='{res.status}'>Verdict: {res.status}</span> ({_checks_hold(res)} checks hold). "
                 f"{escape(res.summary)}</p>"]
        note_md, note_html = _verdict_note(res, claim)
        md += note_md
        html += note_html
        statement = _statement(claim, res.scale)
        md += [f"*Statement* (scale {res.scale}). {statement}", ""]
        html.append(f"<p><i>Statement</i> (scale {escape(res.scale)}). {escape(statement)}</p>")
        if res.checks:
            md += ["| " + " | ".join(CHECK_COLUMNS) + " |", "|" + "---|" * len(CHECK_COLUMNS)]
            md += ["| " + " | ".join(_md_cell(x) for x in _check_cells(c)) + " |" for c in res.checks]
            md.append("")
            html.append("<table><tr>" + "".join(f"<th>{h}</th>" for h in CHECK_COLUMNS) + "</tr>")
            for c in res.checks:
                cells = _check_cells(c)
                cls = "holds" if c.holds else "fails"
                html.append("<tr>" + "".join(f"<td>{escape(x)}</td>" for x in cells[:5])
                            + f"<td class='{cls}'>{cells[5]}</td><td>{escape(cells[6])}</td></tr>")
            html.append("</table>")
        if claim.symbolic is not None:
            try:
                tex = claim.symbolic()
            except Exception as exc:  # noqa: BLE001
                tex = None
                md += [f"(formula failed: {exc})", ""]
            if tex:
                md += ["*Formula.*", "", f"$$ {tex} $$", ""]
                html.append(f"<p><i>Formula.</i></p><div class='math'>\\[{escape(tex)}\\]</div>"
                            f"<details><summary>LaTeX source</summary><pre>{escape(tex)}</pre></details>")
        shared = (f" + {tm['shared']:.1f} s of shared measurement (computed once per run"
                  + (f", shared with {', '.join(tm['shared_with'])}" if tm.get("shared_with") else "") + ")"
                  if tm["shared"] > 0 else "")
        timing = f"{tm['own']:.1f} s own{shared}"
        md += [f"*Source.* {claim.source}", "", f"*Docs.* `{claim.docs}`  ·  *Verification tag.* "
               f"{claim.verification}  ·  *Time.* {timing}", "", "*Assumptions.*", ""]
        md += [f"- {a}" for a in claim.assumptions] + [""]
        html += [f"<p><i>Source.</i> {escape(claim.source)}</p>",
                 f"<p><i>Docs.</i> <code>{escape(claim.docs)}</code> · <i>Verification tag.</i> "
                 f"{escape(claim.verification)} · <i>Time.</i> {escape(timing)}</p><p><i>Assumptions.</i></p><ul>"
                 + "".join(f"<li>{escape(a)}</li>" for a in claim.assumptions) + "</ul>"]
        if res.config:
            md += [f"*Config ({res.scale}).* " + ", ".join(f"`{k}` = {v!r}" for k, v in res.config.items()), ""]
            html.append(f"<p><i>Config ({escape(res.scale)}).</i></p><table>" + "".join(
                f"<tr><th>{escape(str(k))}</th><td><code>{escape(repr(v))}</code></td></tr>"
                for k, v in res.config.items()) + "</table>")
        if claim.plot is not None and res.status != "skipped" and res.data and not res.error:
            others = {u: results[u] for u in claim.uses if u in results}
            try:
                for name, fig in claim.plot(res, others):
                    fig.savefig(out / name, dpi=110)
                    buf = io.BytesIO()
                    fig.savefig(buf, format="png", dpi=90)
                    plt.close(fig)
                    md += [f"![{claim.id}]({name})", ""]
                    html.append(f"<img alt='{escape(name)}' src='data:image/png;base64,"
                                f"{base64.b64encode(buf.getvalue()).decode()}'>")
            except Exception as exc:  # noqa: BLE001 - a broken plot must not hide the verdict
                md += [f"(plot failed: {type(exc).__name__}: {exc})", ""]
                html.append(f"<p class='err'>(plot failed: {escape(type(exc).__name__)}: {escape(str(exc))})</p>")
        record = {**res.to_json(), "title": claim.title, "statement": statement, "source": claim.source,
                  "docs": claim.docs, "verification": claim.verification, "assumptions": list(claim.assumptions),
                  "time_own_s": tm["own"], "time_shared_s": tm["shared"]}
        (out / f"{claim.id}.json").write_text(json.dumps(record, indent=1, default=_json_default))
        if res.data:
            write_csv(csv_rows(res.data), out / f"{claim.id}.csv")
            md += [f"Raw numbers: [`{claim.id}.csv`]({claim.id}.csv), [`{claim.id}.json`]({claim.id}.json)", ""]
            html.append(f"<p>Raw numbers: <a href='{escape(claim.id)}.csv'>{escape(claim.id)}.csv</a>, "
                        f"<a href='{escape(claim.id)}.json'>{escape(claim.id)}.json</a></p>")
    if mj is None:
        html.append("<p><i>(Formulas are shown as LaTeX: install the 'django-static-mathjax' package to typeset "
                    "them.)</i></p>")
    html.append("</body></html>")
    path = out / "report.md"
    path.write_text("\n".join(md) + "\n")
    (out / "report.html").write_text("\n".join(html) + "\n")
    payload = {"scale": scale, "seed": seed, "device": device, "run": run_info,
               "results": [{**r.to_json(), "time_own_s": timings[c.id]["own"],
                            "time_shared_s": timings[c.id]["shared"]} for c, r in pairs]}
    (out / "results.json").write_text(json.dumps(payload, indent=1, default=_json_default))
    return path
