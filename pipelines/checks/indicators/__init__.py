"""Red-flag indicators (tanda bahaya): declared in metadata/indicators.yaml, computed set-based
after load over the published procurement tables (engine.py, methods.py), rolled up per package,
buyer and supplier (rollup.py) and written as tables and downloads (tables.py)."""

from .tables import write_indicator_tables

__all__ = ["write_indicator_tables"]
