"""Locations: the repository, ../shared beside it (override with DIFBFSR_SHARED_DIR, as the tests do), the runs folder."""

import os

TOOL_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO_DIR = os.path.dirname(os.path.dirname(TOOL_DIR))
RUNS_DIR = os.path.join(TOOL_DIR, "runs")


def shared_path(*parts: str) -> str:
    root = os.environ.get("DIFBFSR_SHARED_DIR") or os.path.join(os.path.dirname(REPO_DIR), "shared")
    return os.path.join(root, *parts)
