"""A circle's journal: short updates with photos taken on a phone."""
