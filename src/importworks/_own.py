"""Which importers are importworks itself: the one test both 3.15 lazy imports filters ask.

At the bottom of the layers and importing nothing: ``wiring/own_imports`` uses
it before the package has imported anything else (and no ``from __future__``
here, for the reason that module gives).
"""


# the builtins are held as defaults: the filters are still asked at shutdown,
# when this module's namespace may be gone
def is_own_module(importer: object, _str: type = str, _type: type = type) -> bool:
    """Whether *importer* (a module name; None for globals without ``__name__``) is importworks or a module of it."""
    return _type(importer) is _str and (importer == "importworks" or importer.startswith("importworks."))  # type: ignore[attr-defined]
