"""Courses, modules, lessons and quizzes: the pack format, its validator and importer.

This package knows nothing of people: it describes teaching material. ``lms`` uses it.
"""
