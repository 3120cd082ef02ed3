"""Field driver: a pandas groupby."""

import pandas as pd

df = pd.DataFrame(
    {
        "fruit": ["apple", "pear", "apple", "fig", "pear", "apple"],
        "weight": [120, 180, 110, 40, 170, 130],
        "price": [0.5, 0.8, 0.45, 1.2, 0.75, 0.55],
    }
)
summary = df.groupby("fruit").agg(count=("weight", "size"), weight=("weight", "mean"), revenue=("price", "sum"))
print(summary.to_string())
print(df.groupby("fruit")["weight"].describe().round(2).to_string())
print(len(df), df["weight"].sum(), df.pivot_table(index="fruit", values="price", aggfunc="max").to_dict())
