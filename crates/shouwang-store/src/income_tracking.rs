//! issue 16: income_tracking reads.
