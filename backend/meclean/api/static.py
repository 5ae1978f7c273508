"""Static files that browsers revalidate before each use.

Each response says ``Cache-Control: no-cache``: a browser keeps the file but asks first,
and an unchanged file costs a 304 (Chromium still reuses the code it compiled from it).
So an upgrade of meclean or of plotly reaches every open browser on its next load, never
a mix of old scripts and a new API.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.staticfiles import StaticFiles


class RevalidatedFiles(StaticFiles):
    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = "no-cache"
        return response
