"""Synthetic newsletter pages with exact ground truth: content, renderer, scan degradation.

Tests, benchmarks and the committed sample scans all come from here, so every accuracy figure
the project reports is measured against text and layout known by construction."""

from __future__ import annotations

from .content import (
    ContentArticle,
    ContentBlock,
    ContentPage,
    Entity,
    IssueContent,
    random_issue_content,
    seed_issue_content,
)
from .truth import TruthBlock, TruthEntity, TruthLine, TruthPage

__all__ = [
    "ContentArticle",
    "ContentBlock",
    "ContentPage",
    "Entity",
    "IssueContent",
    "TruthBlock",
    "TruthEntity",
    "TruthLine",
    "TruthPage",
    "random_issue_content",
    "seed_issue_content",
]
