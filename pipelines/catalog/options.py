"""The static site's build options (`publish.py build --base-url/--boundaries/--today`), in a
module of their own: the command line reads them before every build, and a rebuild with nothing
to do (stages/reuse.py) stops before the site's renderers, and what they load, are needed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..core.errors import JendelaError
from ..core.freshness import today

if TYPE_CHECKING:
    from .maps import Boundaries

DEFAULT_BASE_URL = "https://jendeladata.id/"


class SiteOptionError(JendelaError):
    """A build option of the site that cannot be used as given (exit code 2)."""


@dataclass(frozen=True)
class SiteOptions:
    """Build options of the static site (`publish.py build --base-url/--boundaries`)."""

    base_url: str = DEFAULT_BASE_URL
    boundaries: Boundaries | None = None
    today: str | None = None  # --today (core/freshness.py): the day overdue is judged on

    @property
    def day(self) -> dt.date:
        return today(self.today)

    @property
    def base(self) -> str:
        return self.base_url if self.base_url.endswith("/") else self.base_url + "/"
