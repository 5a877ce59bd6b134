"""churnlens: why e-commerce sales fall and which customers are about to lapse."""

from churnlens.config import ChurnlensConfig
from churnlens.errors import DataError

__all__ = ["ChurnlensConfig", "DataError", "__version__"]
__version__ = "0.1.0"
