//! issue 16: dashboard reads.
