"""The site navigation's links, with ``aria-current="page"`` on the section being shown."""

from django import template
from django.urls import reverse
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_link(context, url_name: str, label: str):
    """``<li><a href=...>label</a></li>``, marked current when the page is at or under it."""
    url = reverse(url_name)
    request = context.get("request")
    path = getattr(request, "path", "")
    current = path == url if url == "/" else path.startswith(url)
    if current:
        return format_html('<li><a href="{}" aria-current="page">{}</a></li>', url, label)
    return format_html('<li><a href="{}">{}</a></li>', url, label)
