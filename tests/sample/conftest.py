from datetime import date

import pytest

from xueji_tui.sample import generate

REF = date(2026, 11, 28)


@pytest.fixture(scope="session")
def sample_school():
    """The committed sample's parameters (sample_data/README.md): 3000 students, seed 2026."""
    return generate(3000, 2026, REF)
