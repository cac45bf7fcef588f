"""Frozen-build entry point: the same as the ``sotong`` console script."""

import sys

from console.cli import main

if __name__ == "__main__":
    sys.exit(main())
