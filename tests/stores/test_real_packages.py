"""Real packages (jinja2, yaml, click and their dependencies) work from a packed store.

Each runs in a fresh interpreter whose sys.path has no site-packages: every
module, resource, metadata record and C extension must come from the store.
"""

from __future__ import annotations

import json

import pytest

from importworks.stores.pack import pack
from tests.conftest import run_python

CHECK = """
import json, os, sys
at_start = set(sys.modules)  # .pth files may have imported something already
sys.path[:] = [p for p in sys.path if "site-packages" not in p]
store = sys.argv[1]
import importworks
importworks.install()
sys.path.insert(0, store)

import click, jinja2, yaml, markupsafe, importlib.metadata
from click.testing import CliRunner

@click.command()
@click.option("--name", default="store")
def hello(name):
    click.echo(f"hello {name}")

out = {
    "template": jinja2.Template("{{ x | upper }}-{% for i in r %}{{ i }}{% endfor %}").render(x="ab", r=range(3)),
    "yaml": yaml.safe_dump({"a": [1, 2], "b": "c"}, sort_keys=True),
    "yaml_roundtrip": yaml.safe_load("k: [1, 2]"),
    "click": CliRunner().invoke(hello, ["--name", "zip"]).output,
    "escape": str(markupsafe.escape("<b>")),
    "versions": {d: importlib.metadata.version(d) for d in ("jinja2", "pyyaml", "click", "markupsafe")},
    "files": {m.__name__: m.__file__ for m in (jinja2, yaml, click, markupsafe)},
    "speedups": getattr(sys.modules.get("markupsafe._speedups"), "__file__", None),
    "libyaml": yaml.__with_libyaml__,
    "site_packages_used": sorted(n for n, m in sys.modules.items() if n not in at_start
                                 and "site-packages" in (getattr(m, "__file__", None) or "")),
}
print(json.dumps(out))
"""


@pytest.mark.parametrize("kind", ["sqlite", "zip"])
def test_jinja2_yaml_click_from_a_store(tmp_path, kind):
    from importlib.metadata import version

    store = tmp_path / f"deps.{kind}"
    result = pack([], str(store), dists=["jinja2", "pyyaml", "click"], deps=True)
    assert result.modules > 50
    proc = run_python(CHECK, str(store), env={"IMPORTWORKS_CACHE": str(tmp_path / "cache")})
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.splitlines()[-1])
    assert out["template"] == "AB-012"
    assert out["yaml"] == "a:\n- 1\n- 2\nb: c\n"
    assert out["yaml_roundtrip"] == {"k": [1, 2]}
    assert out["click"] == "hello zip\n"
    assert out["escape"] == "&lt;b&gt;"
    assert out["versions"] == {d: version(d) for d in ("jinja2", "pyyaml", "click", "markupsafe")}
    pure = {name: path for name, path in out["files"].items() if name in ("jinja2", "click")}
    assert all(path.startswith(str(store) + "/") for path in pure.values()), out["files"]
    assert out["site_packages_used"] == []
    # distributions with native code are materialised whole, once, in the content-addressed cache
    native = str(tmp_path / "cache" / "pkg")
    if out["speedups"] is not None:
        assert out["speedups"].startswith(native) and out["files"]["markupsafe"].startswith(native)
    if out["libyaml"]:
        assert out["files"]["yaml"].startswith(native)


def test_packed_zip_is_an_ordinary_zip_for_stock_zipimport(tmp_path):
    from tests.conftest import build

    source = build(tmp_path / "src", {"zpkg": {"__init__.py": "from .m import X\n", "m.py": "X = 42\n"}})
    store = tmp_path / "plain.zip"
    pack([str(source)], str(store))
    proc = run_python(
        """
        import sys, zipimport
        sys.path.insert(0, sys.argv[1])
        import zpkg
        assert type(zpkg.__loader__) is zipimport.zipimporter, zpkg.__loader__
        print(zpkg.X, zpkg.__loader__._get_cached if False else "ok")
    """,
        str(store),
        env={"PYTHONPATH": ""},
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["42", "ok"]
