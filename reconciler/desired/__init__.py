"""The desired state: catalog YAML -> validated plain data with a source map.

    >>> from reconciler.desired import load_desired
    >>> state = load_desired("catalog")
    >>> list(state.objects)[:4]    # registry order; sub-resources are derived from their parents
    ['brand', 'category', 'product', 'option']
    >>> state.get("variant", "CT-BLK100-4.8").parent
    'CT-BLK100'
"""

from reconciler.desired.load import load_desired
from reconciler.core.objects import DesiredObject
from reconciler.desired.model import DesiredState
from reconciler.core.settings import StoreSettings

__all__ = ["load_desired", "DesiredObject", "DesiredState", "StoreSettings"]
