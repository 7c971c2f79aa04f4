"""Validation of gshp against published, measured and reference-program results."""
