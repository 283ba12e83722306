"""Showing a circle's work: members' consent, publishing, the public project page, its one-page
sheet (PDF) and the showcase of published projects."""
