"""Brute-force references the coverage tests share: nearest station by exhaustive distance."""

import numpy as np
import shapely

from geoairplan import datasets


def _tm2_stations(names):
    return datasets.load_stations().set_index("name_zh").loc[names].to_crs(3826)


def _brute_force_nearest(xy_pts, xy_st):
    d = ((xy_pts[:, None, :] - xy_st[None, :, :]) ** 2).sum(-1)
    order = np.sort(d, axis=1)
    margin = np.sqrt(order[:, 1]) - np.sqrt(order[:, 0]) if xy_st.shape[0] > 1 else np.full(len(d), np.inf)
    return d.argmin(1), margin


def _sample_in(geom, n, seed):
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = geom.bounds
    pts = []
    while len(pts) < n:
        xy = rng.uniform([x0, y0], [x1, y1], size=(4 * n, 2))
        inside = shapely.contains_xy(geom, xy[:, 0], xy[:, 1])
        pts.extend(xy[inside].tolist())
    return np.array(pts[:n])
