"""Memory Textual keeps that it never needs again, let go.

Textual caches `StylesCache.get_inner_outer` with `lru_cache` on the method itself, so
the cache's keys hold every widget's `StylesCache`, and with it every line the widget
last drew (`Strip`s with caches of their own), for the last 1,024 calls: a closed
dialog of 64 widgets leaves about 2 MB behind, and nothing frees it (upstream:
Textualize/textual#6665). The answer depends only on the two colours, so it is cached
on them alone here.
"""

from __future__ import annotations

import functools
from typing import Any

from textual._styles_cache import StylesCache
from textual.color import Color


def stop_styles_cache_leak() -> None:
    """Cache `StylesCache.get_inner_outer` by its colours, not by the widget's cache.

    Left alone when Textual no longer caches it on the instance (a fixed release)."""
    cached: Any = StylesCache.__dict__.get("get_inner_outer")
    unwrapped = getattr(cached, "__wrapped__", None)
    if not hasattr(cached, "cache_clear") or unwrapped is None:
        return  # not the lru_cache'd method any more: nothing to stop, or already done

    @functools.lru_cache(1024)
    def by_colours(base_background: Color, background: Color) -> Any:
        return unwrapped(None, base_background, background)  # it never reads itself

    def get_inner_outer(_cache: StylesCache, base_background: Color, background: Color) -> Any:
        return by_colours(base_background, background)

    cached.cache_clear()
    StylesCache.get_inner_outer = get_inner_outer  # type: ignore[method-assign,assignment]
