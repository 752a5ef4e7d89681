"""Report settings of a scenario: language of the tables and texts, winners-and-losers tolerance."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from voorzieningen.schemas.base import StrictModel

#: Travel-time change below which a zone counts as unchanged in the winners-and-losers
#: tables, minutes. Assumption (no public norm found): half a minute is below what
#: travellers notice on a trip of a few minutes and above the noise of network travel
#: times (rounded to 0.1 min in the reports).
DEFAULT_UNCHANGED_TOLERANCE_MIN = 0.5


class ReportOptions(StrictModel):
    """How the results are written."""

    language: Literal["nl", "en"] | None = None
    """Language of column names, category values and texts: ``"nl"`` (Dutch) or ``"en"``
    (English). Independent of the CSV dialect; when not set, Dutch for Dutch-Excel CSVs
    (``--dutch-excel``) and English otherwise. The CLI's ``--language`` overrides it."""

    unchanged_tolerance_min: float = Field(
        default=DEFAULT_UNCHANGED_TOLERANCE_MIN, ge=0.0, le=60.0, allow_inf_nan=False
    )
    """A zone whose travel time changes by at most this many minutes is "unchanged" in the
    winners-and-losers tables (0 to 60 min; assumption: 0.5 min, see the code)."""

    online_map: bool = False
    """Also write ``plan_online.html``: the plan over OpenStreetMap web tiles (folium). Its
    page loads Leaflet and the tiles from the internet when opened, so it is for readers
    online; ``plan.html`` stays the self-contained map that works offline. Writing it needs
    no internet."""
