"""Demo workloads: realistic fake data for dashboards and demos (``agentel fake``).

Not imported by the runtime; the CLI loads it on demand.
"""
