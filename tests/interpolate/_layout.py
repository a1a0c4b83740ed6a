"""The synthetic station layout the interpolation tests share (TM2 metres, seeded)."""

import numpy as np

# A southern-Taiwan-like layout in TM2 metres: 40 stations over 100 x 150 km.
RNG = np.random.default_rng(20250114)
X = RNG.uniform(170_000, 270_000, 40)
Y = RNG.uniform(2_420_000, 2_570_000, 40)
Z = 30 + 0.0002 * (X - 170_000) + 10 * np.sin(Y / 20_000) + RNG.normal(0, 2, 40)
PX = np.r_[RNG.uniform(170_000, 270_000, 2000), X[:6]]          # includes six station locations
PY = np.r_[RNG.uniform(2_420_000, 2_570_000, 2000), Y[:6]]
PARAMS = {"psill": 60.0, "range": 45_000.0, "nugget": 3.0}
