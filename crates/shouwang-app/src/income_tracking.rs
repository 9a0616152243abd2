//! issue 16: income_tracking use cases.
