"""Validation verdicts, importable without loading Great Expectations."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ValidationOutcome:
    """The verdict of one suite on one batch."""

    suite: str
    success: bool
    evaluated: int
    rows: int
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def describe(self) -> str:
        if self.success:
            return f"{self.suite}: {self.evaluated} expectations passed on {self.rows} rows"
        return f"{self.suite}: FAILED " + "; ".join(self.failures)


class ValidationFailed(RuntimeError):
    """A suite failed: the run stops before anything is published."""

    def __init__(self, outcomes: list[ValidationOutcome]) -> None:
        self.outcomes = outcomes
        failed = [o.describe() for o in outcomes if not o.success]
        super().__init__("Data validation failed, nothing was published:\n  " + "\n  ".join(failed))
