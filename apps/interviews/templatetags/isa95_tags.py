"""``{{ isa95_map|isa95_svg }}``: draw an ISA-95 map (``apps.bank.isa95.Isa95Map``) in a
template, so that ``interviews/_isa95_map.html`` needs nothing but the map in its context."""

from django import template
from django.utils.safestring import SafeString

from apps.bank.isa95 import ACTIVITIES

from ..charts import isa95_map_svg

register = template.Library()


@register.filter
def isa95_svg(isa95_map) -> SafeString:
    return isa95_map_svg(isa95_map)


@register.filter
def isa95_activity(key: str) -> str:
    """An activity's display name (``dispatching`` -> "Dispatching")."""
    return ACTIVITIES.get(key, key)
