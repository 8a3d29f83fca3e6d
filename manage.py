#!/usr/bin/env python
"""Same as the ``nuanxin`` console script, for a checkout without the venv on PATH."""

from nuanxin.cli import main

if __name__ == "__main__":
    main()
