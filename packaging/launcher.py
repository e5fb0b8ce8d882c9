"""Entry point of the frozen app: the same command line as the `tastingroom` script."""

import sys

from tastingroom.cli import main

sys.exit(main())
