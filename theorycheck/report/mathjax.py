"""MathJax, inlined into the HTML report so formulas render offline and the page stays one self-contained file.

The script is MathJax 3's ``tex-svg-full.js`` (SVG output: no font files; every TeX extension built in, so nothing is
fetched at run time), shipped by the ``django-static-mathjax`` package (Apache-2.0; it installs a plain ``mathjax``
package of static files and needs no Django). Only elements with the class ``math`` are typeset; the menu, which
could load accessibility code from a CDN, is switched off.
"""

from __future__ import annotations

import functools
from importlib import resources

__all__ = ["mathjax_head", "SCRIPT"]

SCRIPT = "static/mathjax/es5/tex-svg-full.js"

_CONFIG = """window.MathJax = {
  tex: {inlineMath: [['\\\\(', '\\\\)']], displayMath: [['\\\\[', '\\\\]']]},
  svg: {fontCache: 'global'},
  options: {enableMenu: false, ignoreHtmlClass: 'no-math', processHtmlClass: 'math'},
  startup: {typeset: true}
};"""


@functools.lru_cache(maxsize=1)
def _script() -> str | None:
    try:
        text = (resources.files("mathjax") / SCRIPT).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError):
        return None
    return text.replace("</script", "<\\/script")  # never close the inline <script> early


def mathjax_head() -> str | None:
    """The ``<script>`` elements (configuration, then MathJax itself) for the page's head; ``None`` when the
    ``mathjax`` package is not installed (formulas then stay as LaTeX source)."""
    script = _script()
    if script is None:
        return None
    return f"<script>{_CONFIG}</script>\n<script>{script}</script>"
