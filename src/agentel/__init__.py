"""agentel."""
