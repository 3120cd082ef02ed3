from importlib import import_module


def render(stats, style: str) -> str:
    """Render with the formatter module named after *style* (imported on demand)."""
    return import_module(f".{style}", __name__).render(stats)
