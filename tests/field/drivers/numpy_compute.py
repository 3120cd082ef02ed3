"""Field driver: a small numpy computation and the keys of numpy.show_config()."""

import numpy as np

a = np.arange(12, dtype=np.float64).reshape(3, 4)
print(a @ a.T)
print(np.linalg.solve(np.array([[3.0, 1.0], [1.0, 2.0]]), np.array([9.0, 8.0])))
print(a.mean(axis=0), a.std().round(6), np.cumsum(a[1]))
rng = np.random.default_rng(12345)
print(rng.integers(0, 100, size=5), np.sort(rng.random(3)).round(6))
config = np.show_config(mode="dicts")
print(sorted(config))
print(sorted(config["Build Dependencies"]))
