"""Declarative dataset checks. Each module registers its check types with `@check`
(`runner.py`); importing the package imports every module, so every type is registered."""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
