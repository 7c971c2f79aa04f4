"""Case files (being split into one module per section; see case.py)."""

from gshp.config.case import *  # noqa: F403
from gshp.config.case import _Ctx, _convert, _fields  # noqa: F401
