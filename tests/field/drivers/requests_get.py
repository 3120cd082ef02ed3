"""Field driver: requests fetches a page from the local server given as argv[1]."""

import sys

import requests

with requests.Session() as session:
    response = session.get(sys.argv[1], timeout=10)
print(response.status_code, response.reason, response.encoding)
for name in sorted(response.headers):
    print(f"{name}: {response.headers[name]}")
print(response.text, end="")
print(requests.utils.default_user_agent())
missing = requests.get(sys.argv[1].replace("hello.txt", "missing"), timeout=10)
print(missing.status_code, missing.ok)
