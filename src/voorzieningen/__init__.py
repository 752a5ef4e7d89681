"""voorzieningen: investment planning for village schools, GP practices and community halls."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("voorzieningen")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = ["__version__"]
