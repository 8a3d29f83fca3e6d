"""``{{ amount|yuan }}``: an amount as ``¥1,234.50`` (a negative one as ``-¥1,234.50``);
``{% load funds_money %}``."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


def yuan_text(value) -> str:
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"


@register.filter
def yuan(value) -> str:
    return yuan_text(value)


@register.filter
def signed_yuan(value, negative=False) -> str:
    """An amount with its direction: ``+¥1,234.50`` (in), ``-¥1,234.50`` (out, or when
    ``negative`` is true for a positive amount that goes out)."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    if negative:
        amount = -amount
    if amount == 0:
        return yuan_text(amount)
    return f"{'+' if amount > 0 else '-'}¥{abs(amount):,.2f}"
