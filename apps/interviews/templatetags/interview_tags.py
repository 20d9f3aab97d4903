from django import template

from ..verdicts import LABELS

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``{{ mapping|get_item:key }}``: dictionary lookup by a variable key."""
    if not mapping:
        return None
    return mapping.get(key)


@register.filter
def label_text(label: str) -> str:
    """The decision label in words (SCORING.md step 5)."""
    return LABELS.get(label, label)
