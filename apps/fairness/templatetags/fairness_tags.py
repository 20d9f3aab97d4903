from fractions import Fraction

from django import template

register = template.Library()


@register.filter
def fraction_decimal(value: Fraction | None) -> str:
    """An exact ratio shown with two decimals, rounded down, so 0.7999... never reads as 0.80
    (the decision is made on the exact fraction; this is only how it is shown)."""
    if value is None:
        return "-"
    hundredths = (value * 100).__floor__()
    return f"{hundredths / 100:.2f}"


@register.filter
def fraction_percent(value: Fraction | None) -> str:
    if value is None:
        return "-"
    return f"{float(value) * 100:.1f}%"
