"""Shared schema pieces: strict input models, pagination, taxonomies and slot masks."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

T = TypeVar("T")


class Input(BaseModel):
    """Base for request bodies: unknown fields are refused, strings are trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int


Name = Annotated[str, StringConstraints(min_length=1, max_length=100, strip_whitespace=True)]
Title = Annotated[str, StringConstraints(min_length=3, max_length=200, strip_whitespace=True)]
LongText = Annotated[str, StringConstraints(max_length=10_000, strip_whitespace=True)]
ShortText = Annotated[str, StringConstraints(max_length=300, strip_whitespace=True)]
Phone = Annotated[str, StringConstraints(max_length=40, pattern=r"^[0-9 +()\-]{6,40}$", strip_whitespace=True)]
PageNumber = Annotated[int, Field(ge=1, le=100_000)]
PageSize = Annotated[int, Field(ge=1, le=200)]
