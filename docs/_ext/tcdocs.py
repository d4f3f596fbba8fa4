"""Helpers of the docs build, kept apart from ``docs/conf.py`` so that tests can import them without Sphinx.

* :func:`escape_docstring_bars`: docstrings write |x| for an absolute value; reStructuredText reads |x| as a
  substitution reference, so bars are escaped outside literals, roles and literal/directive blocks.
* :func:`stage_notebooks`: copies ``notebooks/*.ipynb`` into the docs tree, preferring the executed copy that the
  test suite saved when its code is the same as the notebook's in git.
* :func:`github_slug`, :func:`page_anchors`, :func:`cited_pages`: heading anchors as MyST makes them
  (``myst_heading_anchors``), and the ``docs/...md#anchor`` citations in the package's source.
* :func:`toplevel_table`: the table of ``theorycheck.__all__`` on the API index page.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

__all__ = ["escape_docstring_bars", "stage_notebooks", "github_slug", "page_anchors", "cited_pages", "toplevel_table"]

# --------------------------------------------------------------------------------------------------- docstrings
_PROTECTED = re.compile(r"(``.+?``|:[\w:+-]+:`[^`]*`|`[^`]*`_?)")
_BLOCK = re.compile(r"^\s*(\.\. [\w:-]+::|.*::\s*$)")
_DIRECTIVE = re.compile(r"^\s*\.\. ([\w:-]+)::")
#: Directives whose content is not reStructuredText prose (maths, code, raw output): their bars stay as they are.
_RAW_DIRECTIVES = {"math", "code", "code-block", "sourcecode", "literalinclude", "raw", "doctest", "testcode",
                   "testoutput", "parsed-literal", "productionlist"}


def _escape_bars(line: str) -> str:
    parts = _PROTECTED.split(line)
    return "".join(p if i % 2 else p.replace("|", r"\|") for i, p in enumerate(parts))


def escape_docstring_bars(lines: list[str]) -> None:
    """In place: escape ``|`` in docstring ``lines`` outside inline literals and roles (double backquotes,
    :math: and other roles) and outside literal and raw directive blocks (after ``::``, ``.. math::``,
    ``.. code-block::``…), where LaTeX and code need the bars as they are. The content of a prose directive (such as
    the ``.. attribute::`` blocks napoleon makes of an ``Attributes:`` section) is escaped; its directive line and
    option lines (``:type: int | None``) are left alone."""
    block_indent: int | None = None
    options: int | None = None  # indent of a prose directive whose option lines may follow
    for i, line in enumerate(lines):
        indent = len(line) - len(line.lstrip())
        if block_indent is not None:
            if not line.strip() or indent > block_indent:
                continue  # inside the block: raw
            block_indent = None
        if options is not None:
            if line.strip().startswith(":") and indent > options:
                continue  # an option line of the directive
            options = None
        directive = _DIRECTIVE.match(line)
        if directive and directive.group(1) not in _RAW_DIRECTIVES:
            options = indent
            continue  # a prose directive: its line stays, its content is escaped below
        if _BLOCK.match(line):
            block_indent = indent
            if line.lstrip().startswith(".. "):
                continue  # a raw directive line (".. math::") stays as it is
        lines[i] = _escape_bars(line)


# --------------------------------------------------------------------------------------------------- notebooks
def _code_sources(nb: dict) -> list[str]:
    return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in nb["cells"] if c["cell_type"] == "code"]


def stage_notebooks(src: Path, executed: Path, dest: Path) -> dict[str, bool]:
    """Copy each notebook of ``src`` into ``dest``: the executed copy in ``executed`` when its code cells equal the
    source's (never stale outputs), else the source as stored in git. Returns ``{name: uses_executed_copy}``."""
    dest.mkdir(parents=True, exist_ok=True)
    for old in dest.glob("*.ipynb"):
        if not (src / old.name).exists():
            old.unlink()
    used = {}
    for path in sorted(src.glob("*.ipynb")):
        run = executed / path.name
        fresh = False
        if run.is_file():
            try:
                fresh = _code_sources(json.loads(run.read_text())) == _code_sources(json.loads(path.read_text()))
            except (ValueError, KeyError, TypeError):
                fresh = False
        chosen = run if fresh else path
        target = dest / path.name
        if not target.exists() or target.read_bytes() != chosen.read_bytes():
            shutil.copyfile(chosen, target)
        used[path.stem] = fresh
    return used


# --------------------------------------------------------------------------------------------------- anchors
_SLUG_CLEAN = re.compile(r"[^\w\u4e00-\u9fff\- ]")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_TARGET = re.compile(r"^\(([^()\s]+)\)=\s*$")
_FENCE = re.compile(r"^\s*(```|~~~|:::)")
#: A docs page cited in source text: ``docs/theory/pruned.md`` or ``docs/theory/pruned.md#the-model``.
CITATION = re.compile(r"docs/[A-Za-z0-9_./-]*[A-Za-z0-9_-]\.md(?:#[A-Za-z0-9_.-]*[A-Za-z0-9_-])?")


def github_slug(title: str) -> str:
    """The anchor MyST gives a heading (GitHub style): lowercase, spaces → '-', other punctuation dropped."""
    return _SLUG_CLEAN.sub("", title.lower().replace(" ", "-"))


def _heading_text(raw: str) -> str:
    text = re.sub(r"`([^`]*)`", r"\1", raw)  # inline code keeps its text
    text = re.sub(r"\$([^$]*)\$", r"\1", text)  # so does inline maths (approximately)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links keep their text
    return re.sub(r"[*_]{1,2}([^*_]+)[*_]{1,2}", r"\1", text)


def page_anchors(path: Path, max_level: int = 3) -> set[str]:
    """Anchors of a MyST page: heading slugs down to ``max_level`` (``myst_heading_anchors``, duplicates suffixed
    ``-1``, ``-2``…) and explicit ``(target)=`` labels. Headings inside fenced blocks are ignored."""
    anchors: set[str] = set()
    slugs: set[str] = set()
    fenced = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if fenced:
            continue
        target = _TARGET.match(line)
        if target:
            anchors.add(target.group(1))
            continue
        m = _HEADING.match(line)
        if m and len(m.group(1)) <= max_level:
            slug = github_slug(_heading_text(m.group(2)))
            unique, k = slug, 1
            while unique in slugs:
                unique, k = f"{slug}-{k}", k + 1
            slugs.add(unique)
            anchors.add(unique)
    return anchors


def cited_pages(package: Path) -> list[tuple[str, str, str]]:
    """Every ``docs/...md[#anchor]`` cited in the ``.py`` files under ``package``: (file:line, path, anchor)."""
    out = []
    for py in sorted(package.rglob("*.py")):
        for n, line in enumerate(py.read_text(encoding="utf-8").splitlines(), 1):
            for m in CITATION.finditer(line):
                page, _, anchor = m.group(0).partition("#")
                out.append((f"{py.relative_to(package.parent)}:{n}", page, anchor))
    return out


# --------------------------------------------------------------------------------------------------- API table
def toplevel_table(module) -> str:
    """A Markdown table of ``module.__all__``, each name linked to the module where it is documented."""
    rows = ["| name | kind | documented in |", "|---|---|---|"]
    for name in module.__all__:
        if name.startswith("__"):
            continue
        obj = getattr(module, name)
        home = getattr(obj, "__module__", module.__name__)
        kind = "class" if isinstance(obj, type) else "function"
        role = "py:class" if kind == "class" else "py:func"
        rows.append(f"| `tc.{name}` | {kind} | {{{role}}}`{home}.{name}` |")
    return "\n".join(rows)


def _cell(text: str) -> str:
    """One Markdown table cell: no newlines, bars escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")


def claims_table(registry, prefix: str) -> str:
    """A Markdown table of the registered claims whose id starts with ``prefix`` (a family, ``"dense"``, or a claim).

    Rendered from the registry itself (the statement at the ``small`` scale, the source, the verification tag and,
    for exploratory claims, the reason), so a theory page's list of claims cannot drift from the code.

    Raises:
        ValueError: no registered claim matches ``prefix``.
    """
    ids = [cid for cid in registry if cid == prefix or cid.startswith(prefix + ".")]
    if not ids:
        raise ValueError(f"no registered claim matches {prefix!r}")
    rows = ["| claim | statement (small scale) | source | tag |", "|---|---|---|---|"]
    for cid in ids:
        claim = registry[cid]
        statement = claim.render_statement("small")
        if claim.exploratory:
            statement += f" *(exploratory: {claim.exploratory})*"
        rows.append(f"| `{cid}` | {_cell(statement)} | {_cell(claim.source)} | {_cell(claim.verification)} |")
    return "\n".join(rows)


CLAIMS_MARKER = re.compile(r"<!--\s*claims:\s*([A-Za-z0-9_.]+)\s*-->")


def expand_claims_markers(text: str, registry) -> str:
    """Replace every ``<!-- claims: family -->`` marker in a page with :func:`claims_table` of that family."""
    return CLAIMS_MARKER.sub(lambda m: claims_table(registry, m.group(1)), text)
