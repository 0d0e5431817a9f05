"""Tests of the CP-SAT solver: hard rules, soft terms, determinism, infeasibility, scale."""
