"""Consultations of citizens on a circle's project (see ``models``)."""
