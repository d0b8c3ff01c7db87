"""The project's exception tree, written down once.

    * Top100Error                 every error the project raises on purpose
      + ConfigError               a setting is missing or invalid (names the setting)
      + SourceError               a public source did not give what we asked for
        x FetchError              transport failure, HTTP error, truncated body
        x RateLimited             429 / 403 rate-limit page (retry later)
        x BlockedPage             an HTML block page where JSON or PDF was expected
        x SchemaDrift             the response shape changed (names the field)
      + ExtractionError           a document could not be read
        x DocumentUnreadable      encrypted, truncated, zero-byte, image-only, (cid:) text
        x TableNotFound           the section or table is not in the document
        x UnitUnknown             the unit of a table cannot be established
        x NumberFormatError       a printed number cannot be parsed
        x ReadingsConflict        two places of a document print different values
        x IdentityViolated        an accounting identity fails between printed figures
        x FigureNotRead           a figure is printed where no reader reads it (a sentence)
      + DeclarationError          a declaration form is not the template, or a cell is invalid
      + WarehouseError            the warehouse cannot be opened, migrated or loaded
      + VerificationError         the verify stage could not run (not a finding: findings are data)
      + ScoringError              the ranking cannot be computed

Every error carries the company, the document and the page or cell it concerns, when known,
so that a message names them: "company C0042, document 3fa2…, page 7: unit not printed".
"""

from __future__ import annotations


class Top100Error(Exception):
    def __init__(
        self,
        cause: str,
        *,
        company: str | None = None,
        document: str | None = None,
        page: int | None = None,
        cell: str | None = None,
        url: str | None = None,
    ) -> None:
        self.cause = cause
        self.company = company
        self.document = document
        self.page = page
        self.cell = cell
        self.url = url
        super().__init__(self._message())

    def _message(self) -> str:
        where = []
        if self.company:
            where.append(f"company {self.company}")
        if self.document:
            where.append(f"document {self.document}")
        if self.url:
            where.append(f"url {self.url}")
        if self.page is not None:
            where.append(f"page {self.page}")
        if self.cell:
            where.append(f"cell {self.cell}")
        return (", ".join(where) + ": " if where else "") + self.cause

    def as_row(self) -> dict:
        """The error as an error row (see top100.records.ErrorRow)."""
        return {
            "kind": type(self).__name__,
            "company_id": self.company,
            "document": self.document,
            "url": self.url,
            "page": self.page,
            "cell": self.cell,
            "reason": self.cause,
        }


class ConfigError(Top100Error):
    pass


class SourceError(Top100Error):
    pass


class FetchError(SourceError):
    pass


class RateLimited(SourceError):
    pass


class BlockedPage(SourceError):
    pass


class SchemaDrift(SourceError):
    pass


class ExtractionError(Top100Error):
    pass


class DocumentUnreadable(ExtractionError):
    pass


class TableNotFound(ExtractionError):
    pass


class UnitUnknown(ExtractionError):
    pass


class NumberFormatError(ExtractionError):
    pass


class ReadingsConflict(ExtractionError):
    """Two places of one document print different values for the same metric and year."""


class IdentityViolated(ExtractionError):
    """An accounting identity does not hold between figures printed in one document."""


class FigureNotRead(ExtractionError):
    """A figure is printed in a place the reader does not read (a sentence of the MD&A)."""


class RowNotFound(ExtractionError):
    """A statement was read, but the row of a metric it should print is not in it (an insurer's
    statement has no revenue line; a label the reader does not know)."""


class DeclarationError(Top100Error):
    pass


class WarehouseError(Top100Error):
    pass


class VerificationError(Top100Error):
    pass


class ScoringError(Top100Error):
    pass
