"""Wiring: install()/activate() put the layers together; interop introduces our classes to other libraries.

Above every feature layer (stores, lazy, reload, diagnostics), below the CLI and the
package facade.  Import the modules themselves; this package re-exports nothing.
"""
