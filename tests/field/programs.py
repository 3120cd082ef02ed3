"""The corpus: real programs from PyPI, each one command with fixed input.

A program is run by its console script (the file pip wrote in the venv's
``bin/``, the user's own code path), as ``-m MODULE``, or as one of the small
scripts in ``drivers/`` that drive a library.  ``{url}`` in an argument is the
local HTTP server's address (127.0.0.1, one port for the whole session, so it
is the same in every mode).
"""

from __future__ import annotations

from dataclasses import dataclass, field

PYTEST_INPUT = """\
def add(a, b):
    return a + b


def test_add():
    assert add(1, 2) == 1 + 1
"""

BLACK_INPUT = b"""\
import os
def f(a,b = 1, *args, **kw) :
  return {'a':a,"b":[b,  b*2], 'rest' : args}
class C( object ):
    def m(self): return   os.path.join( 'x','y' )
"""

PYGMENTS_INPUT = '''\
@dataclass
class Point:
    """A point."""
    x: int = 0

    def norm(self) -> float:
        return (self.x ** 2) ** 0.5  # the length
'''


@dataclass(frozen=True)
class Program:
    """One field case: what to run, with what input, and what plain python must do.

    *script* is a console script in the venv's bin/, *module* a ``-m`` module, *driver*
    a file in drivers/.  *dist* is the distribution packed (with its requirements) for
    the store mode, *pack_also* more of the venv's distributions the program finds there.
    *exit_code* and *expect* (bytes found in stdout or stderr) check the reference run
    itself, so a case cannot pass by every mode failing the same way.
    """

    name: str
    dist: str
    args: tuple[str, ...] = ()
    script: str | None = None
    module: str | None = None
    driver: str | None = None
    files: dict[str, str] = field(default_factory=dict)
    stdin: bytes = b""
    exit_code: int = 0
    expect: bytes = b""
    pack_also: tuple[str, ...] = ()


PROGRAMS = [
    Program("pip", "pip", ("--version",), script="pip", expect=b"pip 26.3 from "),
    # platformdirs (there for black) registers a pytest11 plugin, which pytest's header names
    Program(
        "pytest",
        "pytest",
        ("-p", "no:cacheprovider", "test_add.py"),
        script="pytest",
        pack_also=("platformdirs",),
        files={"test_add.py": PYTEST_INPUT},
        exit_code=1,
        expect=b"assert 3 == (1 + 1)",
    ),
    Program(
        "black",
        "black",
        ("-",),
        script="black",
        stdin=BLACK_INPUT,
        expect=b'def f(a, b=1, *args, **kw):\n    return {"a": a, "b": [b, b * 2], "rest": args}',
    ),
    Program("httpie-version", "httpie", ("--version",), module="httpie", expect=b"3.2.4"),
    Program(
        "httpie-request",
        "httpie",
        ("--ignore-stdin", "--pretty=none", "--print=Hhb", "GET", "{url}/hello.txt"),
        script="http",
        expect=b"hello from the field suite",
    ),
    Program("flask", "flask", driver="flask_client.py", expect=b"200 OK"),
    Program("rich", "rich", driver="rich_render.py", expect=b"Field suite"),
    Program(
        "pygments",
        "pygments",
        ("-l", "python", "-f", "html", "point.py"),
        script="pygmentize",
        files={"point.py": PYGMENTS_INPUT},
        expect=b'<div class="highlight">',
    ),
    Program(
        "requests", "requests", ("{url}/hello.txt",), driver="requests_get.py", expect=b"hello from the field suite"
    ),
    Program("click", "click", ("greet", "--count", "2", "World"), driver="click_cli.py", expect=b"Hello, World!"),
    Program("jinja2", "jinja2", driver="jinja2_render.py", expect=b"&lt;b&gt;"),
    Program("numpy", "numpy", driver="numpy_compute.py", expect=b"Build Dependencies"),
    Program("pandas", "pandas", driver="pandas_groupby.py", expect=b"fruit"),
    Program("boto3", "boto3", driver="boto3_client.py", expect=b"S3 us-east-1"),
    # its commands are found with pkgutil.iter_modules (a folder finder of ours must list them)
    Program("django", "django", ("help", "--commands"), module="django", expect=b"startproject"),
    Program("awscli", "awscli", ("--version",), script="aws", expect=b"aws-cli/1.46.3 "),
    Program(
        "awscli-skeleton",
        "awscli",
        ("s3api", "list-buckets", "--generate-cli-skeleton", "output"),
        script="aws",
        expect=b'"BucketRegion": "BucketRegion"',
    ),
]
