"""Fixtures of the language-server suite: the binary, the fixture project with
real coverage data, and a pytest-lsp client connected to `testgap lsp`."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

# tests/, for the shared `support` package (see its docstring).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pytest  # noqa: E402
import pytest_lsp  # noqa: E402
from lsp_support import EDITORS, Project, make_client, write_project  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient  # noqa: E402

from support.binary import binary_path, find_testgap  # noqa: E402

BIN = binary_path()

# The fixture project's own tests run only under coverage, in its copies.
collect_ignore = ["fixture_project"]


def pytest_configure(config: pytest.Config) -> None:
    # Before any test: the client fixture below needs the binary's path.
    try:
        find_testgap()
    except RuntimeError as error:
        raise pytest.UsageError(str(error)) from None


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The fixture project with coverage data from a real run. Shared by the
    whole session: tests that change files on disk use `own_project`."""
    return Project(write_project(tmp_path_factory.mktemp("shared") / "kasse"))


@pytest.fixture
def own_project(project: Project, tmp_path) -> Project:
    """A private copy of the project, coverage data included; modification
    times are kept, so the data is as fresh as in the original."""
    dest = tmp_path / "kasse"
    shutil.copytree(project.root, dest)
    return Project(dest)


@pytest.fixture(params=EDITORS)
def editor(request: pytest.FixtureRequest) -> str:
    """The recorded client capabilities (pytest-lsp ships them) to start with."""
    return request.param


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[str(BIN), "lsp"], client_factory=make_client))
async def client(lsp_client: LanguageClient):
    """A client connected to a fresh `testgap lsp` process; each test
    initializes it with `lsp_support.start`."""
    yield
    await lsp_client.shutdown_session()
