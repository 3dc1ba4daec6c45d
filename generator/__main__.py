"""``python -m crisisplan``."""

import os
import sys

# `python -m` puts the current folder first on the module path, so a client's folder would
# shadow every module imported from here on (a planted yaml.py or click.py). The package
# itself is imported by now, so the folder is dropped before anything else is looked up.
if not sys.flags.safe_path and sys.path and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]

from .cli import main

main()
