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
