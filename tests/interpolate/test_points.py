"""Points and values: missing values are named."""

import numpy as np
import pytest

from geoairplan.errors import InputError
from geoairplan.interpolate import IDW

from tests.interpolate._layout import PARAMS, PX, PY, RNG, X, Y, Z  # noqa: F401


def test_nan_values_named():
    z = Z.copy()
    z[[4, 9]] = np.nan
    with pytest.raises(InputError, match=r"2 point\(s\) have no valid value.*s4, s9"):
        IDW().fit((X, Y), z, labels=[f"s{i}" for i in range(40)])
