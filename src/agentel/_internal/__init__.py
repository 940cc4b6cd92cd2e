"""Internals: anything here may change without notice."""
