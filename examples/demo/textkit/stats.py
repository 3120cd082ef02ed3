import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

from .tokens import words


@dataclass
class Stats:
    words: int
    distinct: int
    mean_length: float
    top: list[tuple[str, int]]
    extra: dict[str, object] = field(default_factory=dict)


def analyse(text: str) -> Stats:
    found = words(text)
    counts = Counter(w.lower() for w in found)
    lengths = [len(w) for w in found] or [0]
    return Stats(
        words=len(found),
        distinct=len(counts),
        mean_length=round(statistics.mean(lengths), 2),
        top=counts.most_common(3),
        extra={"sentences": len(re.findall(r"[.!?]", text))},
    )
