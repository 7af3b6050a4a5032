"""The CHSI file tests import their helpers (filekit) by name, as the benchmark does."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
