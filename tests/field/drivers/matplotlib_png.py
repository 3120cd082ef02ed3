"""Field driver: matplotlib (Agg) plots a line and saves a PNG in memory."""

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

fig, ax = plt.subplots()
ax.plot([1, 2, 3], [1, 4, 9])
buffer = io.BytesIO()
fig.savefig(buffer, format="png")
print(buffer.getvalue()[:8], len(fig.axes))
