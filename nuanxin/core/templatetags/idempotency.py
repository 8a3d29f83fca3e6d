"""``{% submission_token %}``: the hidden one-time token of a create form (see
``nuanxin.core.idempotency``). A form shown again after a POST keeps the token it was sent
with, so that sending it again after correcting an error still counts as the same form."""

from django import template
from django.utils.html import format_html

from nuanxin.core import idempotency

register = template.Library()


@register.simple_tag(takes_context=True)
def submission_token(context):
    request = context.get("request")
    token = ""
    if request is not None and request.method == "POST":
        token = request.POST.get(idempotency.FIELD, "")
    if not idempotency.TOKEN_RE.fullmatch(token or ""):
        token = idempotency.new_token()
    return format_html('<input type="hidden" name="{}" value="{}">', idempotency.FIELD, token)
