"""``python -m gshp.cli``."""

import sys

from gshp.cli import main

sys.exit(main())
