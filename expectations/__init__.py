"""Great Expectations suites as code: one per landed entity (and, in time, per mart)."""
