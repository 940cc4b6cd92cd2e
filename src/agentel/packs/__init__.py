"""Domain packs: registered events, metrics and helpers for the workloads agentel serves.

- :mod:`agentel.consortium` — several models answer, an arbiter judges, iterate until confident;
- :mod:`agentel.evolution` — evolutionary code search: runs, generations, individuals, lineage,
  agent actions;
- :mod:`agentel.generation` — generation monitor: time, tokens, conversation length, errors,
  evaluation scores and times;
- :mod:`agentel.training` — training loops: steps, epochs, checkpoints, loss, cache, collapse.

Importing a pack registers its names (docs/reference is generated from them). The spans and
events they emit are what the store's typed views read (docs/storage.md); see docs/packs.md.
"""

from agentel.packs import consortium, evolution, generation, training

__all__ = ["consortium", "evolution", "generation", "training"]
