def render(stats) -> str:
    rows = [("words", stats.words), ("distinct", stats.distinct), ("mean length", stats.mean_length)]
    rows += [(f"top {i + 1}", f"{w} x{n}") for i, (w, n) in enumerate(stats.top)]
    rows += sorted(stats.extra.items())
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)
