"""Cheap necessary conditions for feasibility, checked before solving: what no schedule can satisfy.

Plain Python over the time grid, without CP-SAT: like ``check.py`` it never imports the solver, so
``scheduler validate`` can say at once why a meeting cannot be scheduled. Every check is a *necessary*
condition: a finding proves that no schedule places every event, and its ``leave_out`` is a lower bound
on how many of its events ``--allow-unscheduled`` would leave out. ``PRESOLVE_CHECKS`` (in ``checks.py``)
is the table of contents; ``context.py`` holds the grid as bit sets that keeps the checks fast, and
``words.py`` how findings name events, people and rooms.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..model import Problem
from .checks import PRESOLVE_CHECKS
from .context import Finding, PresolveInput
from .words import plural

__all__ = ["PRESOLVE_CHECKS", "Finding", "format_findings", "leave_out_bound", "presolve"]


def presolve(problem: Problem, *, allow_unscheduled: bool = False) -> list[Finding]:
    """Every finding of every check, in table order: why, found without solving, no schedule places every event.

    An empty list proves nothing (only the solver can show a schedule exists). With
    ``allow_unscheduled`` the findings are the same but not ``blocking``: warnings of what will be left out.
    """
    ctx = PresolveInput(problem, allow_unscheduled)
    return [finding for check in PRESOLVE_CHECKS.values() for finding in check(ctx)]


def leave_out_bound(findings: Sequence[Finding]) -> int:
    """The fewest events any valid schedule leaves out: findings over disjoint events add up, the others don't."""
    taken: set[str] = set()
    total = 0
    for finding in sorted(findings, key=lambda f: (-f.leave_out, len(f.events), f.check, f.events)):
        if taken.isdisjoint(finding.events):
            taken.update(finding.events)
            total += finding.leave_out
    return total


def format_findings(findings: Sequence[Finding]) -> list[str]:
    """The findings as lines for the terminal: each message and its fix, then how many events must go."""
    lines: list[str] = []
    for finding in findings:
        lines += [f"{'' if finding.blocking else 'warning: '}{finding.check}: {finding.message}",
                  f"  fix: {finding.fix}"]
    if not findings:
        return lines
    bound = plural(leave_out_bound(findings), "event")
    if any(finding.blocking for finding in findings):
        lines.append(f"--allow-unscheduled would have to leave out at least {bound}")
    else:
        lines.append(f"solve --allow-unscheduled will leave out at least {bound}")
    return lines
