"""Indicators of a circle's pilot: name, unit, baseline, target and values measured over time."""
