"""Instrumentors for LLM SDKs (``openai``, ``anthropic``), loaded lazily: importing this package
imports no SDK."""
