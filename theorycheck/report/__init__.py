"""Reports and the command line: runs claims from the registry and writes report.md, results.json and plots."""

from .cli import main
from .writer import write_report

__all__ = ["main", "write_report"]
