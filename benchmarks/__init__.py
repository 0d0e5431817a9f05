"""Timing and quality benchmarks; importable so that ``python -m benchmarks.frab_meeting`` works."""
