"""Small helpers shared by the exporters."""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from functools import wraps
from typing import TypeVar

T = TypeVar("T")


def slugify(text: str, *, max_length: int = 50) -> str:
    """`"Café Crème!"` → `"cafe-creme"`."""
    if max_length < 1:
        raise ValueError("max_length must be at least 1")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-")


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Yield lists of `size` items; the last one may be shorter."""
    if size < 1:
        raise ValueError("size must be at least 1")
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def retry(times: int = 3, *, exceptions: tuple[type[BaseException], ...] = (OSError,), delay: float = 0.0):
    """Call the decorated function up to `times` times while it raises `exceptions`."""
    if times < 1:
        raise ValueError("times must be at least 1")

    def decorate(func: Callable[..., T]) -> Callable[..., T]:
        @wraps(func)
        def wrapper(*args, **kwargs) -> T:
            for attempt in range(1, times + 1):
                try:
                    return func(*args, **kwargs)
                except exceptions:
                    if attempt == times:
                        raise
                    time.sleep(delay * attempt)
            raise AssertionError("unreachable")

        return wrapper

    return decorate
