"""`python -m flows` is the `top100` command."""

import sys

from flows.cli import main

sys.exit(main())
