NAME = "shout"


def run(text: str) -> str:
    return text.split()[0].upper()
