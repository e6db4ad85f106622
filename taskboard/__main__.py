"""Allow ``python -m taskboard``."""

import sys

from taskboard.cli import main

sys.exit(main())
