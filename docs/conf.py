"""Sphinx configuration of the theorycheck documentation (``make docs``).

Markdown pages with MyST (dollar and amsmath maths), the furo theme, autodoc + napoleon for the API reference and
myst-nb for the notebooks. The build runs with ``-W --keep-going``: every warning fails it. The helpers live in
``docs/_ext/tcdocs.py`` (importable without Sphinx, tested in ``tests/test_docs.py``).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path

from sphinx.util import logging

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # document this checkout, not an installed copy
sys.path.insert(0, str(HERE / "_ext"))

import tcdocs  # noqa: E402

import theorycheck  # noqa: E402

LOG = logging.getLogger(__name__)

project = "theorycheck"
author = "the theorycheck developers"
copyright = "the theorycheck developers (MIT licence)"
release = version = theorycheck.__version__

extensions = [
    "myst_nb",  # MyST markdown pages and .ipynb notebooks (includes myst_parser)
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
]

source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "_ext", "**/.ipynb_checkpoints", "README.md"]
root_doc = "index"

# ----------------------------------------------------------------------------------------------- MyST
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3  # "page.md#heading-slug" links resolve for headings down to ###
myst_dmath_double_inline = True

# ----------------------------------------------------------------------------------------------- notebooks
# The notebooks live in notebooks/ without outputs; the test suite executes them (tests/test_notebooks.py, minutes on
# a loaded CPU) and saves the executed copies to docs/_build/executed/. The docs build never runs them: it shows the
# executed copy when its code is the same as the notebook's in git, else the notebook without outputs, so
# `make docs` stays well under a minute and never shows stale outputs. The pages are staged into docs/notebooks/
# (generated, git-ignored). NB_EXECUTE=1 makes the build execute the notebooks itself (cached in
# docs/_build/.jupyter_cache).
NOTEBOOKS_EXECUTED = tcdocs.stage_notebooks(ROOT / "notebooks", HERE / "_build" / "executed", HERE / "notebooks")
nb_execution_mode = "cache" if os.environ.get("NB_EXECUTE") == "1" else "off"
nb_execution_timeout = 600
nb_execution_raise_on_error = True
nb_execution_cache_path = str(HERE / "_build" / ".jupyter_cache")
nb_merge_streams = True

# ----------------------------------------------------------------------------------------------- autodoc
autodoc_default_options = {"members": True, "member-order": "bysource"}
autodoc_typehints = "signature"
autodoc_preserve_defaults = True
autodoc_inherit_docstrings = False  # e.g. Executor.submit's "fn(*args, **kwargs)" is not ours to render
napoleon_google_docstring = True
napoleon_numpy_docstring = True  # some docstrings use "Parameters / ----------" sections
napoleon_use_rtype = False
napoleon_attr_annotations = True
# Unresolved references (torch.Tensor, numpy types, names in prose) are not errors; ambiguous or broken markup is.
nitpicky = False

# ----------------------------------------------------------------------------------------------- HTML
html_theme = "furo"
html_title = f"theorycheck {release}"
html_static_path: list[str] = []
html_show_sourcelink = False

# MathJax: the copy shipped by the `django-static-mathjax` wheel (a plain MathJax 3 distribution, no Django needed)
# when it is installed, so the site renders maths offline; otherwise Sphinx's default CDN copy.
_MATHJAX_FILE = "tex-svg-full.js"  # one self-contained file: TeX input with every extension, SVG output
_MATHJAX_SRC = None
_spec = importlib.util.find_spec("mathjax")
if _spec is not None and _spec.submodule_search_locations:
    _cand = Path(list(_spec.submodule_search_locations)[0]) / "static" / "mathjax" / "es5" / _MATHJAX_FILE
    _MATHJAX_SRC = _cand if _cand.is_file() else None
if _MATHJAX_SRC is not None:
    mathjax_path = f"mathjax/{_MATHJAX_FILE}"


def _copy_mathjax(app, exception) -> None:
    if exception is None and _MATHJAX_SRC is not None and app.builder.format == "html":
        dest = Path(app.outdir) / "_static" / "mathjax"
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copy2(_MATHJAX_SRC, dest / _MATHJAX_FILE)


def _source_read(app, docname, source) -> None:
    if docname == "api/index":
        source[0] = source[0].replace("<!-- toplevel-table -->", tcdocs.toplevel_table(theorycheck))
    if "<!-- claims:" in source[0]:
        from theorycheck.claims import REGISTRY  # imported only for the pages that list claims

        source[0] = tcdocs.expand_claims_markers(source[0], REGISTRY)


def _process_docstring(app, what, name, obj, options, lines) -> None:
    tcdocs.escape_docstring_bars(lines)


def setup(app):
    app.connect("autodoc-process-docstring", _process_docstring, priority=900)  # after napoleon (500)
    app.connect("source-read", _source_read)
    app.connect("build-finished", _copy_mathjax)
    if _MATHJAX_SRC is None:
        LOG.info("theorycheck docs: django-static-mathjax not installed; maths will load MathJax from its CDN")
    return {"parallel_read_safe": True}
