"""Reports and the command line: runs claims from the registry and writes report.md, results.json and plots.

``main`` (the CLI) is cheap to import; ``write_report`` (torch, matplotlib) is imported on first use.
"""

from typing import TYPE_CHECKING

from .cli import main

if TYPE_CHECKING:  # pragma: no cover
    from .writer import write_report

__all__ = ["main", "write_report"]


def __getattr__(name: str):
    if name == "write_report":
        from .writer import write_report

        return write_report
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
