import re

_WORD = re.compile(r"[A-Za-z']+")


def words(text: str) -> list[str]:
    return _WORD.findall(text)
