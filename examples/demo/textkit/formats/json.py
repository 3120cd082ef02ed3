import dataclasses
import json


def render(stats) -> str:
    return json.dumps(dataclasses.asdict(stats), sort_keys=True)
