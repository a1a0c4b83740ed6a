"""Points and values: missing values are named."""

import numpy as np
import pytest

from geoairplan.errors import InputError
from geoairplan.interpolate import IDW

# A southern-Taiwan-like layout in TM2 metres: 40 stations over 100 x 150 km.
RNG = np.random.default_rng(20250114)
X = RNG.uniform(170_000, 270_000, 40)
Y = RNG.uniform(2_420_000, 2_570_000, 40)
Z = 30 + 0.0002 * (X - 170_000) + 10 * np.sin(Y / 20_000) + RNG.normal(0, 2, 40)
PX = np.r_[RNG.uniform(170_000, 270_000, 2000), X[:6]]          # includes six station locations
PY = np.r_[RNG.uniform(2_420_000, 2_570_000, 2000), Y[:6]]
PARAMS = {"psill": 60.0, "range": 45_000.0, "nugget": 3.0}


def test_nan_values_named():
    z = Z.copy()
    z[[4, 9]] = np.nan
    with pytest.raises(InputError, match=r"2 point\(s\) have no valid value.*s4, s9"):
        IDW().fit((X, Y), z, labels=[f"s{i}" for i in range(40)])
