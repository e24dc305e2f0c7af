"""``python -m sigilo.cli``."""

import sys

from sigilo.cli.main import main

sys.exit(main())
