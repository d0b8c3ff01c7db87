"""A list year is data: ``evaluation/<list year>.toml``, read once into a ``YearContext``.

The 2015 list ranks fiscal year 2014, so ``top100 run --year 2014`` reads ``evaluation/2015.toml``.
The file holds every fact that belongs to one year and not to the program: the fiscal year, the
valuation date, the method (indicators, weights, revenue floor), the declaration calendar, the
published figures where a report was published, and the reference data the report uses
(information consumption, the global top-30 table), each with its source. Every stage is given
the context; no stage reads a year fact from the global settings.

The context is also the year's one carrier through a run (issue 19 item 4): the command line
(or a deployment) turns the fiscal year into a context once (``year_for``), placed in the out
folder, and from there the flow, the stages, verify, load, scoring and report are given that
context and take the year (``fiscal_year``) and its files (``paths``, a ``top100.paths.YearPaths``)
from it.

A year without its file is refused before anything runs (``YearFileMissing``): the message names
the file to write and the keys it needs.
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from top100.errors import ConfigError, Top100Error
from top100.paths import YearPaths

# the project's own folder of year files (an editable install or a checkout)
DEFAULT_DIR = Path(__file__).resolve().parents[1] / "evaluation"

REQUIRED_KEYS = (
    "list_year", "fiscal_year", "title", "source",
    "valuation.date", "valuation.source",
    "calendar.declarations_open", "calendar.review_from", "calendar.review_until",
    "calendar.annual_reports_by", "calendar.filings_20f_by", "calendar.evaluate_after", "calendar.source",
    "method.version", "method.source", "method.revenue_floor", "method.indicators.<name>"
    " (dimension, label, metric, norm, weight[, clip])",
)
OPTIONAL_KEYS = ("previous_list (total_internet_revenue, source)",
                 "published (report | [[published.figures]] name, value, unit, text[, comparator]; source)",
                 "reference.information_consumption (year, value, source)",
                 "reference.global_top30 (date, unit, source, rows)")


class YearFileMissing(ConfigError):
    """No evaluation file for the year: the run stops before collect (exit 2)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Valuation(_Strict):
    date: date
    source: str


class Calendar(_Strict):
    declarations_open: date
    review_from: date
    review_until: date
    annual_reports_by: date
    filings_20f_by: date
    evaluate_after: date
    source: str

    @model_validator(mode="after")
    def _order(self) -> Calendar:
        if not self.declarations_open <= self.review_from <= self.review_until:
            raise ValueError("calendar: declarations_open <= review_from <= review_until")
        return self


class Method(_Strict):
    version: str
    source: str
    revenue_floor: float = Field(ge=0)
    top_n: int = Field(default=100, ge=1)
    indicators: dict[str, dict[str, Any]] = Field(min_length=1)

    def scoring_dict(self) -> dict[str, Any]:
        """The method in the shape of the ``[scoring]`` section (scoring.config validates it)."""
        return {"indicators": {k: dict(v) for k, v in self.indicators.items()},
                "revenue_floor": self.revenue_floor, "top_n": self.top_n}


class PreviousList(_Strict):
    total_internet_revenue: float = Field(gt=0)
    source: str


class PublishedFigureSpec(_Strict):
    name: str
    value: float
    unit: str
    text: str
    comparator: str = "approx"
    rel_tol: float = 0.01
    abs_tol: float = 0.0
    lo: float | None = None
    hi: float | None = None


class Published(_Strict):
    source: str
    report: str | None = None  # a report whose figures and self-checks scoring.published carries
    figures: list[PublishedFigureSpec] = Field(default_factory=list)


class InformationConsumption(_Strict):
    year: int
    value: float = Field(gt=0)
    source: str


class GlobalTop30(_Strict):
    date: date
    unit: str
    source: str
    rows: list[tuple[int, str, float, str, bool]]


class Reference(_Strict):
    information_consumption: InformationConsumption | None = None
    global_top30: GlobalTop30 | None = None


class YearContext(_Strict):
    """Everything that belongs to one list year; given to every stage."""

    list_year: int
    fiscal_year: int
    title: str
    source: str
    valuation: Valuation
    calendar: Calendar
    method: Method
    previous_list: PreviousList | None = None
    published: Published | None = None
    reference: Reference = Field(default_factory=Reference)
    file: str = ""  # where it was read from
    # the out folder of the run that carries the context (``at``); not a fact of the year: not in
    # the year file, not in ``model_dump`` (the run's fingerprint of the year's facts)
    _out_dir: Path | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _years(self) -> YearContext:
        if self.list_year != self.fiscal_year + 1:
            raise ValueError(f"list_year {self.list_year} must be fiscal_year + 1 ({self.fiscal_year + 1})")
        if self.valuation.date.year != self.list_year:
            raise ValueError(f"valuation.date {self.valuation.date} is not in the list year {self.list_year}")
        return self

    @property
    def valuation_date(self) -> date:
        return self.valuation.date

    @property
    def previous_fiscal_year(self) -> int:
        return self.fiscal_year - 1

    def at(self, out_dir: Path) -> YearContext:
        """The same year placed in the out folder ``out_dir``: the context a run carries."""
        placed = self.model_copy()
        placed._out_dir = Path(out_dir)
        return placed

    @property
    def paths(self) -> YearPaths:
        """Where the year's stages read and write (``<out_dir>/<fiscal year>/``)."""
        if self._out_dir is None:
            raise ValueError(f"the {self.list_year} list's context is not placed in an out folder: use .at(out_dir)")
        return YearPaths(self._out_dir, self.fiscal_year)


def year_file(fiscal_year: int, folder: Path | None = None) -> Path:
    """The file of the list that ranks ``fiscal_year``: ``<folder>/<fiscal_year + 1>.toml``."""
    return Path(folder or DEFAULT_DIR) / f"{fiscal_year + 1}.toml"


def missing_message(fiscal_year: int, path: Path) -> str:
    return (f"fiscal year {fiscal_year} has no evaluation file: write {path} (the {fiscal_year + 1} list) "
            f"with the keys {', '.join(REQUIRED_KEYS)}; optional: {'; '.join(OPTIONAL_KEYS)}. "
            f"{path.parent / '2015.toml'} is a complete example")


def load_year(fiscal_year: int, folder: Path | None = None) -> YearContext:
    """Read and validate the year file of ``fiscal_year``; errors name the file and the key."""
    path = year_file(fiscal_year, folder)
    if not path.is_file():
        raise YearFileMissing(missing_message(fiscal_year, path))
    try:
        raw = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read: {exc}") from exc
    try:
        ctx = YearContext(**raw, file=str(path))
    except ValidationError as exc:
        parts = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise ConfigError(f"{path}: " + "; ".join(parts)) from exc
    if ctx.fiscal_year != fiscal_year:
        raise ConfigError(f"{path}: fiscal_year is {ctx.fiscal_year}, the file name says {fiscal_year}")
    return ctx


def year_for(settings: Any, year: int | None = None) -> YearContext:
    """The run's carrier of the fiscal year ``year`` (default: the configured ``settings.year``):
    its year file read and validated (``load_year``), placed in ``settings.out_dir``."""
    fiscal_year = settings.year if year is None else int(year)
    return load_year(fiscal_year, settings.evaluation.dir).at(settings.out_dir)


class YearNotAvailable(Top100Error):
    """The year has no data where a stage needs it (nothing to load, not in the warehouse):
    the stage writes nothing and the command exits 3."""
