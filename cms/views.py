"""The site's identity for browsers and phones: the web app manifest (name and icons for a phone's
home screen) and /favicon.ico for the clients that ask for it without reading the page."""

from django.http import JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

THEME_COLOUR = "#0b4f9c"  # --brand in static/css/site.css


@require_GET
@cache_control(max_age=86400, public=True)
def web_manifest(request):
    language = get_language() or "zh-hans"
    manifest = {
        "name": _("工业和信息化技术技能人才网上学习平台"),
        "short_name": _("技能人才网上学习平台"),
        "lang": "zh-CN" if language == "zh-hans" else language,
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOUR,
        "icons": [
            {"src": static("icons/favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
            {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("icons/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = JsonResponse(manifest, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    response["Vary"] = "Cookie"  # the language comes from the django_language cookie
    return response


@require_GET
def favicon(request):
    return redirect(static("icons/favicon.ico"), permanent=True)
