"""``agentel ui``: a local web app over the store (runs, calls, traces, leaderboard, cost, feedback).

Standard-library HTTP server, server-rendered HTML (every value escaped), inline SVG charts; every
asset ships in this package, nothing is fetched at run time.
"""

from agentel.ui.server import BindRefused, UIServer, make_server

__all__ = ["BindRefused", "UIServer", "make_server"]
