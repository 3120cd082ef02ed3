NAME = "vowels"


def run(text: str) -> int:
    return sum(text.lower().count(v) for v in "aeiou")
