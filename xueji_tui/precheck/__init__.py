"""The graduate precheck (docs/precheck.md) and certificate numbers — pure: no store, no Textual.

``run`` checks a year's expected graduates; ``graduates`` says who they are and what is uploaded;
``certno`` lays out and hands out 证书编号; ``rules`` is the stable rule catalogue.
"""

from xueji_tui.precheck.engine import Finding, Result, run, select, verdicts_for
from xueji_tui.precheck.rules import RULES

__all__ = ["Finding", "Result", "RULES", "run", "select", "verdicts_for"]
