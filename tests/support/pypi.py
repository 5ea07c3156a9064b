"""Files from PyPI pinned by version and sha256: fetched once through pip
into a cache kept between runs, checked on every use, and unpacked."""

from __future__ import annotations

import hashlib
import os
import re
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

from support import REPO
from support.processes import child_env, describe, run


@dataclass(frozen=True)
class Download:
    """A file from PyPI, pinned by version and by the sha256 of the file."""

    name: str
    version: str
    sha256: str
    sdist: bool

    def requirement(self) -> str:
        return f"{self.name}=={self.version} --hash=sha256:{self.sha256}\n"


class DownloadError(RuntimeError):
    """A pinned file that could not be had, with pip's own words."""


# A real pure-Python library whose sdist ships its own test suite (423 tests,
# about 4 s under coverage): a project written by other people, with ~60 files.
BOLTONS = Download("boltons", "25.0.0", "e110fbdc30b7b9868cb604e3f71d4722dd8f4dcb4a5ddd06028ba8f1ab0b5ace", sdist=True)


def pypi_cache() -> Path:
    """Where the test suites keep downloads between runs (never committed):
    $TESTGAP_TEST_CACHE/pypi, else .venv-test/cache/pypi."""
    configured = os.environ.get("TESTGAP_TEST_CACHE")
    return (Path(configured) if configured else REPO / ".venv-test" / "cache") / "pypi"


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _cached_files(download: Download, cache: Path) -> list[Path]:
    if not cache.is_dir():
        return []
    stem = _normalized(f"{download.name}-{download.version}")
    return [
        path
        for path in sorted(cache.iterdir())
        if path.name.endswith((".tar.gz", ".whl")) and _normalized(path.name).startswith(stem + "_")
    ]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch(download: Download, cache: Path, *, python: Path | str = sys.executable, also_in: tuple[Path, ...] = ()) -> Path:
    """The pinned file, from `cache` (or, read-only, a folder of `also_in`),
    else (once) from PyPI through `python -m pip download`."""
    for folder in also_in:
        for path in _cached_files(download, folder):
            if _sha256(path) == download.sha256:
                return path
    cache.mkdir(parents=True, exist_ok=True)
    for path in _cached_files(download, cache):
        if _sha256(path) == download.sha256:
            return path
        path.unlink()  # damaged, or another build of the same version: fetch again
    requirements = cache / f"{download.name}.requirements.txt"
    requirements.write_text(download.requirement(), encoding="utf-8")
    kind = ["--no-binary", download.name] if download.sdist else ["--only-binary", ":all:"]
    proc = run(
        [python, "-m", "pip", "download", "--quiet", "--no-deps", "--require-hashes", *kind,
         "-r", requirements, "-d", cache],
        cache,
        env=child_env(PIP_DISABLE_PIP_VERSION_CHECK="1"),
        timeout=600,
    )
    if proc.returncode != 0:
        raise DownloadError(f"could not download {download.name}=={download.version} from PyPI\n" + describe(proc))
    for path in _cached_files(download, cache):
        return path
    raise DownloadError(f"pip downloaded no file for {download.name}=={download.version} into {cache}")


def unpack_sdist(archive: Path, dest: Path) -> Path:
    """Unpacks an sdist into `dest` (made if need be); returns its one top folder."""
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(dest, filter="data")
        else:  # pragma: no cover - Pythons before 3.11.4
            tar.extractall(dest)
    (top,) = [p for p in dest.iterdir() if p.is_dir()]
    return top
